import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formLimits, Request } from '../../../src/index.js';
import { parseUrlEncoded } from '../../../src/protocols/http/form-fields.js';
import { parseRequestHead } from '../../../src/protocols/http/request-head.js';

function fields(count: number, prefix = 'f'): string {
  return Array.from({ length: count }, (_, i) => `${prefix}${i}=${i}`).join('&');
}

test('field limit at its edge: maxFieldCount fields are kept, the next is not parsed', () => {
  assert.equal(formLimits.maxFieldCount, 1000);
  const atLimit = parseUrlEncoded(fields(1000));
  assert.equal(Object.keys(atLimit).length, 1000);
  assert.equal(atLimit.f999, '999');
  const over = parseUrlEncoded(fields(1001));
  assert.equal(Object.keys(over).length, 1000);
  assert.equal(over.f1000, undefined);
  // Empty pairs are not fields; list entries each count.
  assert.deepEqual(Object.keys(parseUrlEncoded(`&&${fields(3)}&&`, 3)), ['f0', 'f1', 'f2']);
  assert.deepEqual({ ...parseUrlEncoded('l[]=1&l[]=2&l[]=3', 2) }, { l: ['1', '2'] });
  assert.deepEqual({ ...parseUrlEncoded('a=1', 0) }, {});
});

test('a flood of fields costs a scan, not a million entries', () => {
  const flood = '&a'.repeat(1_000_000);
  assert.deepEqual({ ...parseUrlEncoded(flood) }, { a: '' });
  assert.equal(Object.keys(parseUrlEncoded(fields(200_000))).length, 1000);
});

test('the limit is configurable and applies to query strings and urlencoded bodies', (t) => {
  const saved = formLimits.maxFieldCount;
  t.after(() => {
    formLimits.maxFieldCount = saved;
  });
  formLimits.maxFieldCount = 2;
  const head = `POST /?${fields(3, 'q')} HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\n`;
  const result = parseRequestHead(Buffer.from(head, 'latin1'), {
    maxHeaderBytes: 8192,
    maxRequestLineBytes: 4096,
  });
  assert.ok(result?.ok);
  const request = new Request(result.head, null, undefined, Buffer.from(fields(3, 'b')));
  assert.deepEqual(Object.keys(request.get()), ['q0', 'q1']);
  assert.deepEqual(Object.keys(request.post()), ['b0', 'b1']);
});

test('decoding is WHATWG urlencoded (URLSearchParams)', () => {
  const parsed = parseUrlEncoded(
    'a+b=c+d&pct=%41%2B%26%3D&bad=%zz%4&utf=%E2%9C%93&broken=%E2%9C&eq=x=y&flag&=v&__proto__=p',
  );
  assert.deepEqual(
    { ...parsed },
    {
      'a b': 'c d',
      pct: 'A+&=',
      bad: '%zz%4',
      utf: '✓',
      broken: '\ufffd',
      eq: 'x=y',
      flag: '',
      '': 'v',
      ['__proto__']: 'p',
    },
  );
  assert.equal(Object.getPrototypeOf(parsed), null);
  // A leading '?' belongs to the first name (URLSearchParams alone would drop it).
  assert.deepEqual({ ...parseUrlEncoded('?a=1') }, { '?a': '1' });
});
