import { Agent, request } from 'node:http';

/** What an HTTP load run saw: answered requests, and every kind of failure apart. */
export interface HttpLoadResult {
  ok: number;
  /** Closed without an answer ("socket hang up", undici's "other side closed"), or a wrong answer. */
  failed: number;
  refused: number;
  reset: number;
  /** Answers to keep-alive clients that said `Connection: close` (a draining server's). */
  closeAnswers: number;
  errors: string[];
}

export interface HttpLoadShape {
  /** Loops sharing one `http.Agent({ keepAlive: true })`. */
  agent: number;
  /** Loops using the global `fetch` (undici, keep-alive). */
  fetch: number;
  /** Loops opening a new connection per request (`Connection: close`). */
  short: number;
}

// An answer later than this counts as a failure: a hung server must not hang the test.
const ANSWER_DEADLINE_MS = 15_000;

/**
 * Continuous HTTP traffic against `port` until `stop()` (or `maxRequests` in all): every loop sends a
 * request, checks the answer (status 200, the body names the path), pauses
 * a few milliseconds and goes again. One request in five goes to `/slow/…`,
 * which the app answers later, so requests are with the app when a reload
 * begins. Keep-alive clients reuse their connections; nothing is retried.
 */
export function httpLoad(port: number, shape: HttpLoadShape, maxRequests = 200_000) {
  const result: HttpLoadResult = {
    ok: 0,
    failed: 0,
    refused: 0,
    reset: 0,
    closeAnswers: 0,
    errors: [],
  };
  // Bounded by count, and each answer by a deadline, so a test that fails
  // or times out never leaves the load running.
  let sent = 0;
  let stopped = false;
  const running = () => !stopped && sent++ < maxRequests;
  const note = (kind: 'failed' | 'refused' | 'reset', what: string) => {
    result[kind]++;
    if (result.errors.length < 20) result.errors.push(`${kind}: ${what}`);
  };
  const classify = (error: NodeJS.ErrnoException, client: string) => {
    const cause = (error.cause ?? error) as NodeJS.ErrnoException;
    const code = cause.code ?? '';
    const what = `${client} ${code} ${cause.message}`;
    if (code === 'ECONNREFUSED') note('refused', what);
    // Node's client reports a close without an answer as ECONNRESET "socket hang up".
    else if ((code === 'ECONNRESET' && cause.message !== 'socket hang up') || code === 'EPIPE')
      note('reset', what);
    else note('failed', what);
  };
  const check = (client: string, path: string, status: number, body: string) => {
    if (status === 200 && body.endsWith(` ${path}`)) result.ok++;
    else note('failed', `${client} ${path}: ${status} ${body.slice(0, 80)}`);
  };
  const pathFor = (loop: string, i: number) =>
    i % 5 === 4 ? `/slow/${loop}-${i}` : `/${loop}-${i}`;

  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(1, shape.agent) });
  const nodeRequest = (path: string, keepAlive: boolean) =>
    new Promise<{ status: number; body: string; close: boolean }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, agent: keepAlive ? agent : false },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body,
              close: res.headers.connection === 'close',
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(ANSWER_DEADLINE_MS, () =>
        req.destroy(new Error(`no answer within ${ANSWER_DEADLINE_MS} ms`)),
      );
      req.end();
    });

  const nodeLoop = async (name: string, keepAlive: boolean) => {
    for (let i = 0; running(); i++) {
      const path = pathFor(name, i);
      try {
        const answer = await nodeRequest(path, keepAlive);
        if (keepAlive && answer.close) result.closeAnswers++;
        check(name, path, answer.status, answer.body);
      } catch (error) {
        classify(error as NodeJS.ErrnoException, name);
      }
      await pause(2);
    }
  };

  const fetchLoop = async (name: string) => {
    for (let i = 0; running(); i++) {
      const path = pathFor(name, i);
      try {
        const response = await fetch(`http://127.0.0.1:${port}${path}`, {
          signal: AbortSignal.timeout(ANSWER_DEADLINE_MS),
        });
        const body = await response.text();
        if (response.headers.get('connection') === 'close') result.closeAnswers++;
        check(name, path, response.status, body);
      } catch (error) {
        classify(error as NodeJS.ErrnoException, name);
      }
      await pause(2);
    }
  };

  const loops = [
    ...Array.from({ length: shape.agent }, (_, n) => nodeLoop(`agent${n}`, true)),
    ...Array.from({ length: shape.fetch }, (_, n) => fetchLoop(`fetch${n}`)),
    ...Array.from({ length: shape.short }, (_, n) => nodeLoop(`short${n}`, false)),
  ];
  return {
    result,
    async stop(): Promise<HttpLoadResult> {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
      return result;
    },
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
