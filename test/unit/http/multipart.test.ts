import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dispositionParams, parseMultipart } from '../../../src/protocols/http/multipart.js';

const LIMITS = { maxFileCount: 10, maxPartCount: 10 };

function body(...parts: [disposition: string, data: string][]): Buffer {
  let text = '';
  for (const [disposition, data] of parts) {
    text += `--B\r\nContent-Disposition: ${disposition}\r\n\r\n${data}\r\n`;
  }
  return Buffer.from(`${text}--B--\r\n`, 'utf8');
}

function parse(...parts: [string, string][]) {
  return parseMultipart('multipart/form-data; boundary=B', body(...parts), LIMITS);
}

test('a quoted filename that spells name= does not name the field', () => {
  const { fields, files } = parse(
    ['form-data; filename="x; name=admin"; name="avatar"', 'bytes'],
    ['form-data; filename="name=role"; name="doc"', 'more'],
    ['form-data; name="title"; filename*=x', 'not a utf-8 ext-value'],
  );
  assert.deepEqual(Object.keys(files), ['avatar', 'doc', 'title']);
  assert.equal((files.avatar as { name: string }).name, 'x; name=admin');
  assert.equal((files.doc as { name: string }).name, 'name=role');
  assert.deepEqual(Object.keys(fields), []);
});

test('a quoted name with ; and = inside, escapes, and parameter names in any case', () => {
  const { fields } = parse(
    ['form-data; NAME="a;b=c"', '1'],
    ['form-data; name="q\\"uote"', '2'],
    ['form-data; name=token%41', '3'],
    ['form-data;name="first"; name="second"', '4'],
  );
  assert.deepEqual({ ...fields }, { 'a;b=c': '1', 'q"uote': '2', tokenA: '3', first: '4' });
});

test('filename* (RFC 8187, UTF-8) is preferred to filename', () => {
  const { files } = parse([
    `form-data; name="f"; filename="fallback.txt"; filename*=UTF-8''na%C3%AFve%20file.txt`,
    'x',
  ]);
  assert.equal((files.f as { name: string }).name, 'naïve file.txt');
});

test('dispositionParams reads parameters left to right and stops at garbage', () => {
  assert.deepEqual(
    [...dispositionParams('form-data; name="a"; filename="b; name=c"')],
    [
      ['name', 'a'],
      ['filename', 'b; name=c'],
    ],
  );
  assert.deepEqual([...dispositionParams('form-data')], []);
  assert.deepEqual([...dispositionParams('form-data; name="a"; junk; name2=b')], [['name', 'a']]);
  assert.deepEqual([...dispositionParams('form-data; x="unterminated; name=y')], []);
});
