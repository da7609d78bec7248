import assert from 'node:assert/strict';
import { createSocket, type Socket as DatagramSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { test } from 'node:test';
import { parseAddress } from '../../src/transport/address.js';
import {
  reusePortFallbackReason,
  supportsReusePort,
  unprivilegedPortStart,
} from '../../src/transport/reuse-port.js';

const VERSION_REASON = `it needs Node 22.12+ or 23.1+ (this is ${process.version})`;

function listen(port: number): Promise<Server | Error> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once('error', resolve);
    // `reusePort` is not in the Node 20 types; older Node ignores it.
    server.listen({ port, host: '127.0.0.1', reusePort: true } as object, () => resolve(server));
  });
}

function bind(port: number): Promise<DatagramSocket | Error> {
  const socket = createSocket({ type: 'udp4', reusePort: true } as { type: 'udp4' });
  return new Promise((resolve) => {
    socket.once('error', (error) => {
      socket.close();
      resolve(error);
    });
    socket.bind(port, '127.0.0.1', () => resolve(socket));
  });
}

test('supportsReusePort says what this Node does: a second socket on the port binds only where it is true', async (t) => {
  const first = await listen(0);
  assert.ok(!(first instanceof Error), String(first));
  t.after(() => first.close());
  const port = (first.address() as { port: number }).port;
  const second = await listen(port);
  if (!(second instanceof Error)) t.after(() => second.close());
  assert.equal(!(second instanceof Error), supportsReusePort(), `TCP: ${String(second)}`);

  const firstUdp = await bind(0);
  assert.ok(!(firstUdp instanceof Error), String(firstUdp));
  t.after(() => firstUdp.close());
  const secondUdp = await bind(firstUdp.address().port);
  if (!(secondUdp instanceof Error)) t.after(() => secondUdp.close());
  assert.equal(!(secondUdp instanceof Error), supportsReusePort(), `UDP: ${String(secondUdp)}`);
});

test('reusePortFallbackReason: a unix socket and port 0 always fall back, a fixed port only on older Node', () => {
  assert.equal(
    reusePortFallbackReason(parseAddress('unix:///tmp/app.sock')),
    'a unix socket has no port to reuse',
  );
  assert.equal(
    reusePortFallbackReason(parseAddress('text://127.0.0.1:0')),
    'port 0 would bind a different port in each process',
  );
  const fixed = supportsReusePort() ? null : VERSION_REASON;
  assert.equal(reusePortFallbackReason(parseAddress('text://127.0.0.1:8080')), fixed);
  assert.equal(reusePortFallbackReason(parseAddress('udp://127.0.0.1:8080')), fixed);
  assert.equal(reusePortFallbackReason(parseAddress('ssl://[::]:8443')), fixed);
});

test('reusePortFallbackReason: a worker that switches user falls back on a port that user may not bind', () => {
  const start = unprivilegedPortStart();
  const fixed = supportsReusePort() ? null : VERSION_REASON;
  // Without a user, the children bind as the master does.
  assert.equal(reusePortFallbackReason(parseAddress('http://0.0.0.0:80')), fixed);
  assert.equal(
    reusePortFallbackReason(parseAddress('http://0.0.0.0:80'), 'www-data'),
    80 < start
      ? `its processes switch to user "www-data", who may not bind port 80 (below ${start})`
      : fixed,
  );
  assert.equal(reusePortFallbackReason(parseAddress('http://0.0.0.0:65000'), 'www-data'), fixed);
});
