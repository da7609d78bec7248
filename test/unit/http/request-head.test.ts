import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type HeadLimits,
  type HeadResult,
  parseRequestHead,
} from '../../../src/protocols/http/request-head.js';

const limits: HeadLimits = { maxHeaderBytes: 1024, maxRequestLineBytes: 256 };

function parse(text: string, custom: HeadLimits = limits): HeadResult | null {
  return parseRequestHead(Buffer.from(text, 'latin1'), custom);
}

function status(text: string, custom: HeadLimits = limits): number | 'ok' | null {
  const result = parse(text, custom);
  if (result === null) return null;
  return result.ok ? 'ok' : result.status;
}

test('parses method, target, version, ordered headers and the head length', () => {
  const text =
    'GET /chat?room=1 HTTP/1.1\r\nHost: a.test\r\nX-A:  1 \t\r\nx-a: 2\r\nEmpty:\r\n\r\nBODY';
  const result = parse(text);
  assert.ok(result?.ok);
  assert.deepEqual(result.head, {
    method: 'GET',
    target: '/chat?room=1',
    version: '1.1',
    headers: [
      ['host', 'a.test'],
      ['x-a', '1'],
      ['x-a', '2'],
      ['empty', ''],
    ],
    headBytes: text.length - 4,
  });
});

test('answers null for every proper prefix of a head, and the head at its end', () => {
  const text = 'POST /x HTTP/1.0\r\nContent-Length: 3\r\n\r\n';
  for (let n = 0; n < text.length; n++) assert.equal(parse(text.slice(0, n)), null, `prefix ${n}`);
  const result = parse(text);
  assert.ok(result?.ok);
  assert.equal(result.head.version, '1.0');
  assert.equal(result.head.headBytes, text.length);
});

test('searchFrom gives the same answer as a full search', () => {
  const text = 'GET / HTTP/1.1\r\nHost: a\r\nA: b\r\n\r\n';
  const buffer = Buffer.from(text);
  for (let from = 0; from <= text.length; from++) {
    assert.deepEqual(
      parseRequestHead(buffer, limits, Math.min(from, text.length - 4)),
      parse(text),
    );
  }
});

test('skips empty lines before the request-line and counts them in headBytes', () => {
  const result = parse('\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.ok(result?.ok);
  assert.equal(result.head.headBytes, 31);
});

test('keeps obs-text in values as latin1 and accepts any token method', () => {
  const result = parse('PURGE /x HTTP/1.1\r\nHost: a\r\nX-Name: caf\xe9\r\n\r\n');
  assert.ok(result?.ok);
  assert.equal(result.head.method, 'PURGE');
  assert.deepEqual(result.head.headers, [
    ['host', 'a'],
    ['x-name', 'café'],
  ]);
});

test('rejects malformed request-lines with 400', () => {
  for (const line of [
    'GET  / HTTP/1.1',
    'GET / HTTP/1.1 ',
    ' GET / HTTP/1.1',
    'G(T / HTTP/1.1',
    'GET /a b HTTP/1.1',
    'GET /\x7f HTTP/1.1',
    'GET /\xe9 HTTP/1.1',
    'GET / http/1.1',
    'GET / HTTP/1',
    'GET / HTTP/1.x',
    'GET / HTTP/11.1',
    'GET /',
    'GET',
    'GET / HTTP/1.1\r',
  ]) {
    assert.equal(status(`${line}\r\n\r\n`), 400, JSON.stringify(line));
  }
});

test('answers 505 for a well-formed but unsupported version', () => {
  assert.equal(status('GET / HTTP/2.0\r\n\r\n'), 505);
  assert.equal(status('GET / HTTP/1.2\r\n\r\n'), 505);
  assert.equal(status('GET / HTTP/0.9\r\n\r\n'), 505);
});

test('rejects bad header lines with 400', () => {
  for (const line of [
    'Host : a',
    'Host\t: a',
    ': a',
    'Ho(st: a',
    ' folded',
    '\tfolded',
    'NoColon',
    'X: a\x00b',
    'X: a\rb',
    'X: a\x7fb',
    'X: a\x01',
  ]) {
    assert.equal(
      status(`GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\n${line}\r\n\r\n`),
      400,
      JSON.stringify(line),
    );
  }
});

test('rejects bare LF line endings at once instead of waiting', () => {
  assert.equal(status('GET / HTTP/1.1\n\n'), 400);
  assert.equal(status('GET / HTTP/1.1\r\nA: b\n\n'), 400);
  assert.equal(status('GET / HTTP/1.1\nA: b\r\n\r\n'), 400);
});

test('request-line limit: at the limit accepted, one byte over answered 414, even incomplete', () => {
  const line = (length: number) => `GET /${'a'.repeat(length - 'GET / HTTP/1.1'.length)} HTTP/1.1`;
  assert.equal(line(256).length, 256);
  assert.equal(status(`${line(256)}\r\nHost: a\r\n\r\n`), 'ok');
  assert.equal(status(`${line(257)}\r\n\r\n`), 414);
  assert.equal(status(`GET /${'a'.repeat(256)}`), 414);
  assert.equal(status(`GET /${'a'.repeat(250)}`), null);
});

test('head limit: at the limit accepted, one byte over answered 431, even incomplete', () => {
  const head = (length: number) => {
    const start = 'GET / HTTP/1.1\r\nHost: a\r\nX: ';
    return `${start}${'v'.repeat(length - start.length - 4)}\r\n\r\n`;
  };
  assert.equal(head(1024).length, 1024);
  assert.equal(status(head(1024)), 'ok');
  assert.equal(status(head(1025)), 431);
  assert.equal(status(`GET / HTTP/1.1\r\nX: ${'v'.repeat(1100)}`), 431);
  assert.equal(status(`GET / HTTP/1.1\r\nX: ${'v'.repeat(900)}`), null);
});

test('endless empty lines before a request are bounded by the head limit', () => {
  assert.equal(status('\r\n'.repeat(400)), null);
  assert.equal(status('\r\n'.repeat(600)), 431);
});

test('Host (RFC 9112 §3.2): HTTP/1.1 needs exactly one, valid; HTTP/1.0 at most one', () => {
  for (const host of [
    'a.test',
    'a.test:8080',
    '127.0.0.1:80',
    '[::1]:8080',
    '[::1]',
    'xn--caf-dma.test',
    '',
  ]) {
    assert.equal(status(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`), 'ok', host);
  }
  assert.equal(status('GET / HTTP/1.0\r\n\r\n'), 'ok');
  assert.equal(status('GET / HTTP/1.0\r\nHost: a\r\n\r\n'), 'ok');
  const refused = [
    'GET / HTTP/1.1\r\n\r\n',
    'GET / HTTP/1.1\r\nX-Host: a\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\r\nhOST: b\r\n\r\n',
    'GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a/b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a@b\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a:80x\r\n\r\n',
    'GET / HTTP/1.1\r\nHost: a\tb\r\n\r\n',
    'GET / HTTP/1.0\r\nHost: caf\xe9\r\n\r\n',
  ];
  for (const text of refused) {
    const result = parse(text);
    assert.ok(result !== null && !result.ok && result.status === 400, JSON.stringify(text));
    assert.match(result.reason, /Host/);
  }
});
