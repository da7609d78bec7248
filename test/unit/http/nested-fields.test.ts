import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldNesting, nestFields } from '../../../src/protocols/http/nested-fields.js';
import { Request } from '../../../src/protocols/http/request.js';
import { parseRequestHead } from '../../../src/protocols/http/request-head.js';

function request(head: string, body = ''): Request {
  const bytes = Buffer.from(head, 'latin1');
  const result = parseRequestHead(bytes, { maxHeaderBytes: 8192, maxRequestLineBytes: 4096 });
  assert.ok(result?.ok, 'test head parses');
  return new Request(result.head, null, bytes, Buffer.from(body));
}

/** Plain objects, so deepEqual compares shapes (the fields are prototype-free). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

test('PHP nesting in the query: maps, lists and both, as $_GET', () => {
  const r = request(
    'GET /?a[x]=1&a[y][z]=2&l[]=3&l[]=4&m[x][]=5&m[x][]=6&flat=7&enc%5Bk%5D=8 HTTP/1.1\r\nHost: a\r\n\r\n',
  );
  assert.deepEqual(plain(r.get()), {
    a: { x: '1', y: { z: '2' } },
    l: ['3', '4'],
    m: { x: ['5', '6'] },
    flat: '7',
    enc: { k: '8' },
  });
  assert.deepEqual(plain(r.get('a')), { x: '1', y: { z: '2' } });
});

test('PHP nesting in urlencoded and multipart bodies, as $_POST', () => {
  const form = request(
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 29\r\n\r\n',
    'user[name]=ann&user[tags][]=x',
  );
  assert.deepEqual(plain(form.post('user')), { name: 'ann', tags: ['x'] });
  const boundary = 'XyZ';
  const body = [
    `--${boundary}`,
    'Content-Disposition: form-data; name="user[name]"',
    '',
    'bob',
    `--${boundary}`,
    'Content-Disposition: form-data; name="user[roles][]"',
    '',
    'admin',
    `--${boundary}`,
    'Content-Disposition: form-data; name="user[roles][]"',
    '',
    'dev',
    `--${boundary}--`,
    '',
  ].join('\r\n');
  const multipart = request(
    `POST / HTTP/1.1\r\nHost: a\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`,
    body,
  );
  assert.deepEqual(plain(multipart.post()), { user: { name: 'bob', roles: ['admin', 'dev'] } });
});

test('the last value wins; a map replaces a value of the same name and the reverse', () => {
  assert.deepEqual(
    plain(
      nestFields([
        ['a', '1'],
        ['a[x]', '2'],
        ['b[x]', '3'],
        ['b', '4'],
        ['c[k]', '5'],
        ['c[k]', '6'],
      ]),
    ),
    { a: { x: '2' }, b: '4', c: { k: '6' } },
  );
});

test('a named key turns a list into a map; [] after an integer key continues after it', () => {
  assert.deepEqual(
    plain(
      nestFields([
        ['a[]', 'x'],
        ['a[k]', 'y'],
        ['b[5]', 'p'],
        ['b[]', 'q'],
      ]),
    ),
    { a: { 0: 'x', k: 'y' }, b: { 5: 'p', 6: 'q' } },
  );
});

test('names that do not nest stay whole; text after a closing bracket is ignored, as PHP', () => {
  assert.deepEqual(
    plain(
      nestFields([
        ['a[b', '1'],
        ['[x]', '2'],
        ['c[d]e', '3'],
        ['f[g][h', '4'],
        ['', '5'],
      ]),
    ),
    { 'a[b': '1', '[x]': '2', c: { d: '3' }, f: { g: '4' }, '': '5' },
  );
});

test('__proto__ and constructor are plain names', () => {
  const fields = nestFields([
    ['__proto__[polluted]', 'yes'],
    ['constructor[prototype][x]', '1'],
  ]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(Object.getPrototypeOf(fields), null);
  assert.deepEqual(plain(Object.getOwnPropertyDescriptor(fields, '__proto__')?.value), {
    polluted: 'yes',
  });
});

test('maxDepth: a name nested to the limit is kept, one level deeper is dropped', (t) => {
  const saved = fieldNesting.maxDepth;
  t.after(() => {
    fieldNesting.maxDepth = saved;
  });
  fieldNesting.maxDepth = 3;
  const fields = nestFields([
    ['ok[1][2][3]', 'kept'],
    ['deep[1][2][3][4]', 'dropped'],
  ]);
  assert.deepEqual(plain(fields), { ok: { 1: { 2: { 3: 'kept' } } } });
  // The default, as PHP's max_input_nesting_level.
  assert.equal(saved, 64);
  const name = `a${'[x]'.repeat(64)}`;
  assert.equal(Object.keys(nestFields([[name, 'v']], 64)).length, 1);
  assert.equal(Object.keys(nestFields([[`${name}[x]`, 'v']], 64)).length, 0);
});

test('many values under one list name stay linear (bounded by the pairs given)', () => {
  const count = 100_000;
  const pairs = Array.from({ length: count }, (_, i) => ['l[]', String(i)] as const);
  const fields = nestFields(pairs);
  assert.equal((fields.l as string[]).length, count);
  assert.equal((fields.l as string[])[count - 1], String(count - 1));
});
