import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, Response } from '../../../src/index.js';

const INVALID = { code: ErrorCodes.INVALID_OPTION };

function setCookie(options: Parameters<Response['cookie']>[2]): string | undefined {
  return new Response().cookie('c', 'v', options).getHeader('set-cookie');
}

test('status line: a reason phrase with CR, LF or another control character is refused (no header injection)', () => {
  for (const reason of ['OK\r\nSet-Cookie: admin=1', 'OK\n', 'OK\r', 'O\0K', 'O\x1bK', 'O\x7fK']) {
    assert.throws(() => new Response().withStatus(200, reason), INVALID, JSON.stringify(reason));
  }
  const fine = new Response().withStatus(299, 'Fine\tby me, café');
  assert.equal(fine.getReasonPhrase(), 'Fine\tby me, café');
  assert.match(fine.toString(), /^HTTP\/1\.1 299 Fine\tby me, café\r\n/);
});

test('status line: the status is an integer from 100 to 999, the version 1.1 or 1.0', () => {
  for (const status of [Number.NaN, 99, 1000, 200.5, -200, Number.POSITIVE_INFINITY]) {
    assert.throws(() => new Response(status), INVALID, String(status));
    assert.throws(() => new Response().withStatus(status), INVALID, String(status));
  }
  assert.equal(new Response(100).getStatusCode(), 100);
  assert.equal(new Response().withStatus(999).getStatusCode(), 999);
  for (const version of ['2', '1.1\r\nX: y', '', 'HTTP/1.1', '1.2']) {
    assert.throws(() => new Response().withProtocolVersion(version), INVALID, version);
  }
  assert.equal(new Response().withProtocolVersion('1.0').getProtocolVersion(), '1.0');
});

test('headers: a bad name or a value with CR, LF or NUL is refused with WM_ERR_INVALID_OPTION', () => {
  assert.throws(() => new Response(200, { 'Bad Name': 'x' }), INVALID);
  assert.throws(() => new Response().header('X', 'a\r\nb'), INVALID);
  assert.throws(() => new Response().addHeader('X', 'a\0b'), INVALID);
  assert.throws(() => new Response().withHeader('X', ['ok', 'b\nc']), INVALID);
});

test('cookie: maxAge must be a finite number (no Max-Age=NaN), expires a valid date', () => {
  for (const maxAge of [Number.NaN, Number.POSITIVE_INFINITY, '60' as unknown as number]) {
    assert.throws(() => setCookie({ maxAge }), INVALID, String(maxAge));
  }
  assert.throws(() => setCookie({ expires: new Date('not a date') }), INVALID);
  assert.equal(setCookie({ maxAge: 59.9 }), 'c=v; Max-Age=59');
  assert.equal(setCookie({ maxAge: 0 }), 'c=v; Max-Age=0');
  assert.equal(setCookie({ maxAge: -1 }), 'c=v; Max-Age=-1');
  assert.equal(
    setCookie({ expires: new Date(Date.UTC(2030, 0, 2)) }),
    'c=v; Expires=Wed, 02 Jan 2030 00:00:00 GMT',
  );
});

test('cookie: path and domain cannot end the cookie or add attributes of their own', () => {
  for (const path of ['/a; Domain=evil.test', '/a\r\nSet-Cookie: x=1', '/a\0', '/\x7f']) {
    assert.throws(() => setCookie({ path }), INVALID, JSON.stringify(path));
  }
  for (const domain of [
    'a.test; Secure',
    'a.test\r\nX: y',
    'a test',
    'a..test',
    '-a.test',
    'a.test/',
    'a_b.test',
  ]) {
    assert.throws(() => setCookie({ domain }), INVALID, JSON.stringify(domain));
  }
  assert.equal(
    setCookie({ path: '/app/a b,c', domain: '.Sub-1.example.COM' }),
    'c=v; Domain=.Sub-1.example.COM; Path=/app/a b,c',
  );
  assert.equal(setCookie({ domain: 'localhost' }), 'c=v; Domain=localhost');
});

test('cookie: sameSite is Strict, Lax or None (any case), and None requires secure', () => {
  assert.throws(() => setCookie({ sameSite: 'None' }), {
    code: ErrorCodes.INVALID_OPTION,
    message: /None requires secure/,
  });
  assert.throws(() => setCookie({ sameSite: 'Loose' as 'Lax' }), INVALID);
  assert.throws(() => setCookie({ sameSite: 'Lax; Secure' as 'Lax' }), INVALID);
  assert.equal(setCookie({ sameSite: 'None', secure: true }), 'c=v; Secure; SameSite=None');
  assert.equal(setCookie({ sameSite: 'strict' as 'Strict' }), 'c=v; SameSite=Strict');
  assert.equal(setCookie({ sameSite: '' }), 'c=v');
  assert.throws(() => new Response().cookie('a b', 'v'), INVALID);
});
