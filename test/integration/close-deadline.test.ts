import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { test } from 'node:test';
import { TcpConnection } from '../../src/index.js';
import { listenWorker } from '../helpers/listen.js';

const MIB = 1024 * 1024;
// More than the loopback socket buffers of both ends hold (a few MiB each).
const QUEUED = 32 * MIB;

/** A worker that sends QUEUED bytes to each new connection, then closes it. */
async function sendThenClose(t: Parameters<typeof listenWorker>[0]) {
  let closed!: () => void;
  const onClosed = new Promise<void>((resolve) => {
    closed = resolve;
  });
  const worker = await listenWorker(t, 'tcp://127.0.0.1:0', (w) => {
    w.onConnect = (connection) => {
      connection.maxSendBufferSize = 2 * QUEUED;
      const chunk = Buffer.alloc(MIB, 0x61);
      for (let sent = 0; sent < QUEUED; sent += MIB) connection.send(chunk);
      connection.close();
    };
    w.onClose = () => closed();
  });
  return { worker, onClosed };
}

test('close() towards a peer that stopped reading completes at closeTimeout', {
  timeout: 60_000,
}, async (t) => {
  const saved = TcpConnection.closeTimeout;
  TcpConnection.closeTimeout = 0.3;
  t.after(() => {
    TcpConnection.closeTimeout = saved;
  });
  const { worker, onClosed } = await sendThenClose(t);
  const peer = connect({ port: worker.port, host: '127.0.0.1' });
  peer.pause(); // never reads: the queued bytes cannot leave
  peer.on('error', () => {});
  t.after(() => peer.destroy());
  await onClosed;
  assert.equal(worker.connections.size, 0);
});

test('a peer that reads takes everything queued before the close, and the FIN', {
  timeout: 60_000,
}, async (t) => {
  const { worker, onClosed } = await sendThenClose(t);
  const peer = connect({ port: worker.port, host: '127.0.0.1' });
  t.after(() => peer.destroy());
  let received = 0;
  peer.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  await Promise.all([once(peer, 'end'), onClosed]);
  assert.equal(received, QUEUED);
});
