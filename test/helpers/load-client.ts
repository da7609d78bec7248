import { connect, type Socket } from 'node:net';

/** What a load run saw: answered requests, and every kind of failure apart. */
export interface LoadResult {
  ok: number;
  /** A request sent that never got its reply. */
  failed: number;
  refused: number;
  reset: number;
  /** Long-lived connections the server closed between requests (reconnected; not a failure). */
  closedIdle: number;
  /** Requests re-sent because the server closed before reading them (the keep-alive race). */
  retried: number;
  errors: string[];
}

// A reply later than this counts as lost: a hung server must not hang the test.
const REPLY_DEADLINE_MS = 15_000;

/**
 * Continuous text-protocol traffic against `port` until `stop()`, or until
 * `maxRequests` have been sent in all: `short` loops each open a
 * connection, send one line, await the reply and close, again and again;
 * `long` loops keep one connection and send a line every few milliseconds,
 * reconnecting when the server closes it. Bounded by count, and each reply
 * by a deadline, so a test that fails or times out never leaves it running.
 */
export function textLoad(port: number, short: number, long: number, maxRequests = 200_000) {
  const result: LoadResult = {
    ok: 0,
    failed: 0,
    refused: 0,
    reset: 0,
    closedIdle: 0,
    retried: 0,
    errors: [],
  };
  let sent = 0;
  let stopped = false;
  const running = () => !stopped && sent++ < maxRequests;
  const note = (error: NodeJS.ErrnoException) => {
    if (error.code === 'ECONNREFUSED') result.refused++;
    else if (error.code === 'ECONNRESET' || error.code === 'EPIPE') result.reset++;
    else result.failed++;
    if (result.errors.length < 10) result.errors.push(`${error.code ?? ''} ${error.message}`);
  };

  const shortLoop = async (n: number) => {
    for (let i = 0; running(); i++) {
      try {
        const socket = await open(port);
        const reply = await request(socket, `s${n}-${i}`);
        socket.end();
        if (reply === null) {
          result.failed++;
          if (result.errors.length < 10)
            result.errors.push(`short: closed before reply to s${n}-${i}`);
        } else result.ok++;
      } catch (error) {
        note(error as NodeJS.ErrnoException);
      }
      await pause(2);
    }
  };

  const longLoop = async (n: number) => {
    let socket: Socket | null = null;
    for (let i = 0; running(); i++) {
      try {
        socket ??= await open(port);
        const line = `l${n}-${i}`;
        let reply = await request(socket, line);
        if (reply === null) {
          // Closed by the server before it answered: a client of a
          // request/response protocol re-sends on a fresh connection.
          result.retried++;
          socket = await open(port);
          reply = await request(socket, line);
        }
        if (reply === null) {
          result.failed++;
          socket = null;
        } else result.ok++;
      } catch (error) {
        note(error as NodeJS.ErrnoException);
        socket?.destroy();
        socket = null;
      }
      await pause(3);
    }
    socket?.destroy();
  };

  const loops = [
    ...Array.from({ length: short }, (_, n) => shortLoop(n)),
    ...Array.from({ length: long }, (_, n) => longLoop(n)),
  ];
  return {
    result,
    async stop(): Promise<LoadResult> {
      stopped = true;
      await Promise.all(loops);
      return result;
    },
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/**
 * Sends `line` and resolves with the reply line, or `null` if the server
 * closed the connection (FIN) before any byte of a reply; a reset rejects.
 */
function request(socket: Socket, line: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString();
      const at = received.indexOf('\n');
      if (at !== -1) done(() => resolve(received.slice(0, at)));
    };
    const onEnd = () =>
      done(() => (received === '' ? resolve(null) : reject(new Error('partial reply'))));
    const onError = (error: Error) => done(() => reject(error));
    const timer = setTimeout(() => {
      socket.destroy();
      const late = new Error(`no reply within ${REPLY_DEADLINE_MS} ms`);
      done(() => reject(Object.assign(late, { code: 'ETIMEDOUT' })));
    }, REPLY_DEADLINE_MS);
    const done = (settle: () => void) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
      settle();
    };
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.once('error', onError);
    if (socket.destroyed || !socket.writable) {
      done(() => resolve(null));
      return;
    }
    socket.write(`${line}\n`);
  });
}
