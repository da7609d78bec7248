import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { bodyFraming } from '../../src/protocols/http/body-framing.js';
import {
  ChunkedBodyScanner,
  SCAN_INCOMPLETE,
  SCAN_INVALID,
} from '../../src/protocols/http/chunked-body.js';
import { parseRequestHead } from '../../src/protocols/http/request-head.js';
import { RequestGenerator } from '../helpers/http-request-generator.js';

/** What a parser made of the first request in some bytes. */
type Verdict =
  | { kind: 'reject' }
  | { kind: 'incomplete' }
  | {
      kind: 'accept';
      method: string;
      target: string;
      version: string;
      headers: string[];
      body: string;
    };

const LIMITS = { maxHeaderBytes: 16 * 1024, maxRequestLineBytes: 8 * 1024 };
const MAX_BODY = 10 * 1024 * 1024;

/** Our side: the pieces the http:// codec runs, in its order. */
function ours(bytes: Buffer): Verdict {
  const result = parseRequestHead(bytes, LIMITS);
  if (result === null) return { kind: 'incomplete' };
  if (!result.ok) return { kind: 'reject' };
  const head = result.head;
  const framing = bodyFraming(head);
  let body: Buffer;
  if (framing.kind === 'invalid') return { kind: 'reject' };
  if (framing.kind === 'length') {
    if (bytes.length < head.headBytes + framing.length) return { kind: 'incomplete' };
    body = bytes.subarray(head.headBytes, head.headBytes + framing.length);
  } else {
    const scanner = new ChunkedBodyScanner(head.headBytes);
    const end = scanner.scan(bytes, MAX_BODY);
    if (end === SCAN_INVALID) return { kind: 'reject' };
    if (end === SCAN_INCOMPLETE) return { kind: 'incomplete' };
    body = scanner.body(bytes);
  }
  return {
    kind: 'accept',
    method: head.method,
    target: head.target,
    version: head.version,
    headers: head.headers.flat(),
    body: body.toString('latin1'),
  };
}

// Node's own parser (llhttp), as node:http runs it, without sockets.
const require = createRequire(import.meta.url);
const { HTTPParser, methods } = require('node:_http_common') as {
  HTTPParser: NodeHttpParserClass;
  methods: string[];
};
interface NodeHttpParser {
  initialize(type: number, resource: object, maxHeaderSize: number, lenient: number): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}
interface NodeHttpParserClass {
  new (): NodeHttpParser;
  REQUEST: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
  kOnExecute: number;
}

function node(bytes: Buffer): Verdict {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.REQUEST, {}, LIMITS.maxHeaderBytes, 0);
  let head: Omit<Extract<Verdict, { kind: 'accept' }>, 'body' | 'kind'> | null = null;
  let early: string[] = [];
  const body: Buffer[] = [];
  let complete = false;
  parser[HTTPParser.kOnHeaders] = (headers: string[]) => {
    early = early.concat(headers);
  };
  parser[HTTPParser.kOnHeadersComplete] = (
    major: number,
    minor: number,
    headers: string[] | undefined,
    method: number,
    url: string,
  ) => {
    head = {
      method: methods[method] ?? '?',
      target: url,
      version: `${major}.${minor}`,
      headers: (headers ?? early).map((item, i) => (i % 2 === 0 ? item.toLowerCase() : item)),
    };
    return 0;
  };
  parser[HTTPParser.kOnBody] = (chunk: Buffer, start?: number, length?: number) => {
    if (complete) return;
    body.push(
      Buffer.from(start === undefined ? chunk : chunk.subarray(start, start + (length ?? 0))),
    );
  };
  parser[HTTPParser.kOnMessageComplete] = () => {
    complete = true;
  };
  parser[HTTPParser.kOnExecute] = () => {};
  const result = parser.execute(bytes);
  // Only the first request counts: bytes after it are another message.
  if (complete && head !== null) {
    return {
      kind: 'accept',
      ...(head as object),
      body: Buffer.concat(body).toString('latin1'),
    } as Verdict;
  }
  if (result instanceof Error) return { kind: 'reject' };
  return { kind: 'incomplete' };
}

/**
 * Deliberate differences (README, HTTP section). Each returns true when the
 * bytes show the difference; a disagreement none explains fails the test.
 */
const DIFFERENCES: [string, (text: string, o: Verdict, n: Verdict) => boolean][] = [
  [
    'any token is a method for us; Node knows a fixed list',
    (t, o, n) =>
      o.kind !== 'reject' &&
      n.kind === 'reject' &&
      /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+ /.test(requestLine(t)) &&
      !methods.includes(requestLine(t).split(' ', 1)[0]!),
  ],
  [
    'Transfer-Encoding in an HTTP/1.0 request is refused by us',
    (t, o, n) =>
      o.kind === 'reject' &&
      n.kind !== 'reject' &&
      /HTTP\/1\.0\r\n/.test(t) &&
      /\r\ntransfer-encoding:/i.test(t),
  ],
  [
    'only HTTP/1.0 and 1.1 for us (505 for other versions, 400 without one); Node parses 0.9 (no version) and 2.0 heads',
    (t, o, n) =>
      o.kind === 'reject' &&
      ((n.kind === 'accept' && n.version !== '1.0' && n.version !== '1.1') ||
        (n.kind === 'incomplete' && !/ HTTP\/1\.[01]$/.test(requestLine(t)))),
  ],
  [
    'Transfer-Encoding other than exactly "chunked" (gzip, chunked; chunked twice) is refused by us; Node passes the coded body on',
    (t, o, n) => {
      if (o.kind !== 'reject' || n.kind === 'reject') return false;
      const values = [...t.matchAll(/\r\ntransfer-encoding:([^\r]*)/gi)].map((m) => m[1]!.trim());
      return values.length > 0 && values.join(',').toLowerCase() !== 'chunked';
    },
  ],
  [
    'Host: one in HTTP/1.1, at most one in 1.0, with a valid value, or we refuse (RFC 9112 §3.2); Node leaves that to its server',
    (t, o, n) => o.kind === 'reject' && n.kind !== 'reject' && breaksHostRule(t),
  ],
  [
    'PRI is a method like any for us; Node waits for the rest of an HTTP/2 preface',
    (t, o, n) => o.kind !== n.kind && n.kind === 'incomplete' && requestLine(t).startsWith('PRI '),
  ],
  [
    'whitespace around a Content-Length value is OWS to us (RFC 9110 §5.5); Node refuses a tab after it',
    (t, o, n) =>
      o.kind === 'accept' && n.kind === 'reject' && /\r\ncontent-length:[^\r]*\t\r\n/i.test(t),
  ],
  [
    'exactly one SP between the request-line parts for us; Node allows several',
    (t, o, n) =>
      o.kind === 'reject' &&
      n.kind !== 'reject' &&
      /^\S+ {2,}\S|^\S+ +\S+ {2,}HTTP/.test(requestLine(t)),
  ],
  [
    'we refuse at once bytes that can never form a head (bare LF) while Node waits for more',
    (t, o, n) => o.kind === 'reject' && n.kind === 'incomplete' && /(^|[^\r])\n/.test(t),
  ],
  [
    'we judge a head once it is complete (then refuse it too); Node refuses some bad lines as they arrive',
    (t, o, n) =>
      o.kind === 'incomplete' &&
      n.kind === 'reject' &&
      ours(Buffer.from(`${t}\r\n\r\n`, 'latin1')).kind === 'reject',
  ],
  [
    'we refuse a chunked body whose size line or trailers are bad before its data arrives; Node waits',
    (_t, o, n) => o.kind === 'reject' && n.kind === 'incomplete',
  ],
];

/** uri-host [ ":" port ] (RFC 9110 §7.2), stated apart from the parser's own pattern. */
const HOST_VALUE = /^(?:\[[\w:.~!$&'()*+,;=-]+\]|[\w.~!$&'()*+,;=%-]*)(?::\d*)?$/;

function breaksHostRule(text: string): boolean {
  const head = text.replace(/^[\r\n]+/, '').split('\r\n\r\n', 1)[0] ?? '';
  const values = [...head.matchAll(/\r\nhost:[ \t]*([^\r]*?)[ \t]*(?=\r\n|$)/gi)].map((m) => m[1]!);
  if (values.length > 1) return true;
  if (values.length === 0) return / HTTP\/1\.1$/.test(requestLine(text));
  return !HOST_VALUE.test(values[0]!);
}

/** The request-line: the first line after any leading CR / LF bytes. */
function requestLine(text: string): string {
  return text.replace(/^[\r\n]+/, '').split('\r\n', 1)[0] ?? '';
}

function explain(text: string, o: Verdict, n: Verdict): string | null {
  for (const [name, test] of DIFFERENCES) if (test(text, o, n)) return name;
  return null;
}

// The reference is llhttp 9 or later (Node 20.20+, 22, 24, 26). Node 20.19.0
// still bundles llhttp 8.1.2, which accepts what llhttp 9 refuses: bare LF
// line ends, whitespace between a field name and its colon (RFC 9112 §5.1:
// must be refused), a tab in the request target. Against it about 5 500 of
// the 100 000 requests disagree beyond the listed differences; llhttp 9 judges
// the same requests as our parser does, so each is llhttp 8's verdict, not ours.
const llhttp = process.versions.llhttp ?? '0';
const referenceSkip =
  Number(llhttp.split('.')[0]) < 9 &&
  `Node ${process.version} bundles llhttp ${llhttp}; the reference must be llhttp 9 or later`;

test("100 000 generated and mutated requests: our parser agrees with Node's on accept/reject and on what was sent", {
  skip: referenceSkip,
}, () => {
  const generator = new RequestGenerator(20261125);
  const explained = new Map<string, number>();
  const counts = { accept: 0, reject: 0, incomplete: 0 };
  const total = 100_000;
  for (let i = 0; i < total; i++) {
    const bytes = i % 3 === 0 ? generator.valid() : generator.mutated();
    const o = ours(bytes);
    const n = node(bytes);
    counts[o.kind]++;
    if (o.kind === n.kind && (o.kind !== 'accept' || JSON.stringify(o) === JSON.stringify(n)))
      continue;
    const text = bytes.toString('latin1');
    const reason = o.kind !== n.kind ? explain(text, o, n) : null;
    if (reason === null) {
      assert.fail(
        `request ${i} disagrees:\n${JSON.stringify(text)}\nours: ${JSON.stringify(o)}\nnode: ${JSON.stringify(n)}`,
      );
    }
    explained.set(reason, (explained.get(reason) ?? 0) + 1);
  }
  // Both outcomes are well represented: the corpus is not trivially valid or broken.
  assert.ok(counts.accept > 30_000 && counts.reject > 20_000, JSON.stringify(counts));
  console.log('differential:', counts, Object.fromEntries(explained));
});
