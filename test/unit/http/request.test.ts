import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Request } from '../../../src/protocols/http/request.js';
import { parseRequestHead } from '../../../src/protocols/http/request-head.js';

function request(head: string, body = ''): Request {
  const bytes = Buffer.from(head, 'latin1');
  const result = parseRequestHead(bytes, { maxHeaderBytes: 8192, maxRequestLineBytes: 4096 });
  assert.ok(result?.ok, 'test head parses');
  return new Request(result.head, null, bytes, Buffer.from(body));
}

test('method, uri, path, query string and query fields', () => {
  const r = request(
    'GET /a/b%20c?x=1&y=%E2%9C%93&l[]=1&l[]=2&plus=a+b&x=3#frag HTTP/1.1\r\nHost: a\r\n\r\n',
  );
  assert.equal(r.method(), 'GET');
  assert.equal(r.uri(), '/a/b%20c?x=1&y=%E2%9C%93&l[]=1&l[]=2&plus=a+b&x=3#frag');
  assert.equal(r.path(), '/a/b%20c');
  assert.equal(r.queryString(), 'x=1&y=%E2%9C%93&l[]=1&l[]=2&plus=a+b&x=3');
  assert.equal(r.get('x'), '3');
  assert.equal(r.get('y'), '✓');
  assert.deepEqual(r.get('l'), ['1', '2']);
  assert.equal(r.get('plus'), 'a b');
  assert.equal(r.get('missing'), undefined);
  assert.equal(r.get('missing', 'dflt'), 'dflt');
  assert.deepEqual({ ...r.get() }, { x: '3', y: '✓', l: ['1', '2'], plus: 'a b' });
});

test('absolute-form target: path is the path part', () => {
  const r = request('GET http://example.com:8080/p/q?z=1 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(r.path(), '/p/q');
  assert.equal(r.get('z'), '1');
  assert.equal(request('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n').path(), '*');
});

test('malformed percent escapes (WHATWG urlencoded): a bad escape is kept as sent, bytes that are not UTF-8 become U+FFFD', () => {
  const r = request('GET /?a=%zz%41&b=%E2%9C&c=%E2%9C%93 HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.equal(r.get('a'), '%zzA');
  assert.equal(r.get('b'), '\ufffd');
  assert.equal(r.get('c'), '✓');
});

test('headers are case-insensitive; repeats join with ", ", cookies with "; "', () => {
  const r = request(
    'GET / HTTP/1.0\r\nHost: [::1]:8080\r\nAccept: a\r\naccept: b\r\nCookie: s=1; t="two"\r\nCookie: s=9; u=%41\r\n\r\n',
  );
  assert.equal(r.header('ACCEPT'), 'a, b');
  assert.equal(r.header('x-none', 'none'), 'none');
  assert.equal(r.header().host, '[::1]:8080');
  assert.equal(r.host(), '[::1]:8080');
  assert.equal(r.host(true), '[::1]');
  assert.equal(r.cookie('s'), '1');
  assert.equal(r.cookie('t'), 'two');
  assert.equal(r.cookie('u'), 'A');
  assert.equal(r.cookie('v', 'd'), 'd');
  assert.equal(r.protocolVersion(), '1.0');
  assert.equal(request('GET / HTTP/1.1\r\nHost: a.test:80\r\n\r\n').host(true), 'a.test');
  assert.equal(request('GET / HTTP/1.0\r\n\r\n').host(), undefined);
});

test('rawHead is the bytes as received; rebuilt when the request was built from a head only', () => {
  const text = 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n';
  assert.equal(request(text).rawHead(), text);
  const result = parseRequestHead(Buffer.from(text), {
    maxHeaderBytes: 100,
    maxRequestLineBytes: 100,
  });
  assert.ok(result?.ok);
  assert.equal(new Request(result.head).rawHead(), 'GET /x HTTP/1.1\r\nhost: h\r\n\r\n');
  assert.equal(new Request(result.head).rawBody(), '');
});

test('post: urlencoded and JSON bodies', () => {
  const form = request(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\r\n',
    'a=1&b=%C3%A9&c[]=x',
  );
  assert.equal(form.post('a'), '1');
  assert.equal(form.post('b'), 'é');
  assert.deepEqual(form.post('c'), ['x']);
  assert.equal(form.rawBody(), 'a=1&b=%C3%A9&c[]=x');
  const json = request(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n\r\n',
    '{"n":5,"o":{"p":true}}',
  );
  assert.equal(json.post('n'), 5);
  assert.deepEqual(json.post('o'), { p: true });
  assert.equal(json.post('z', 0), 0);
  const broken = request(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n\r\n',
    '{nope',
  );
  assert.deepEqual({ ...broken.post() }, {});
});

test('post and file: multipart fields and uploads', () => {
  const body = [
    '--XyZ',
    'Content-Disposition: form-data; name="title"',
    '',
    'hello',
    '--XyZ',
    'Content-Disposition: form-data; name="doc"; filename="a \\"b\\".txt"',
    'Content-Type: text/plain',
    '',
    'line1\r\nline2',
    '--XyZ',
    'Content-Disposition: form-data; name="many[]"; filename="1.bin"',
    '',
    '\x00\x01',
    '--XyZ',
    'Content-Disposition: form-data; name="many[]"; filename="2.bin"',
    '',
    '',
    '--XyZ--',
    '',
  ].join('\r\n');
  const r = request(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary="XyZ"\r\n\r\n',
    body,
  );
  assert.equal(r.post('title'), 'hello');
  const doc = r.file('doc');
  assert.ok(doc && !Array.isArray(doc));
  assert.equal(doc.name, 'a "b".txt');
  assert.equal(doc.type, 'text/plain');
  assert.equal(doc.data.toString(), 'line1\r\nline2');
  assert.equal(doc.size, 12);
  const many = r.file('many');
  assert.ok(Array.isArray(many));
  assert.deepEqual(
    many.map((f) => [f.name, f.type, f.size]),
    [
      ['1.bin', 'application/octet-stream', 2],
      ['2.bin', 'application/octet-stream', 0],
    ],
  );
});
