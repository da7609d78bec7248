// Receive path: time from the first byte of a packet to onMessage, for
// packets of 1, 10 and 100 MB arriving in 64 KB chunks, for a length-prefixed
// codec (frame://) and a delimiter codec (text://). Linear receiving shows as
// a constant time per MB; a codec re-scanned or a buffer re-concatenated per
// chunk would grow with the square of the size.
//
//   node --import tsx bench/receive-path.ts
import { connect } from 'node:net';
import { TcpConnection, Worker } from '../src/index.js';

const CHUNK = 64 * 1024;
const sizes = [1, 10, 100].map((mb) => mb * 1024 * 1024);
TcpConnection.defaultMaxPackageSize = 128 * 1024 * 1024;

function packetFor(scheme: 'frame' | 'text', size: number): Buffer {
  const packet = Buffer.alloc(size, 0x61);
  if (scheme === 'frame') packet.writeUInt32BE(size, 0);
  else packet[size - 1] = 0x0a;
  return packet;
}

async function timeOne(scheme: 'frame' | 'text', size: number): Promise<number> {
  const worker = new Worker(`${scheme}://127.0.0.1:0`);
  let started = 0;
  const received = new Promise<number>((resolve) => {
    worker.onMessage = () => resolve(performance.now() - started);
  });
  await worker.listen();
  const socket = connect({ port: worker.port, host: '127.0.0.1' });
  await new Promise((resolve) => socket.once('connect', resolve));
  const packet = packetFor(scheme, size);
  started = performance.now();
  for (let at = 0; at < packet.length; at += CHUNK) {
    if (!socket.write(packet.subarray(at, at + CHUNK))) {
      await new Promise((resolve) => socket.once('drain', resolve));
    }
  }
  const ms = await received;
  socket.destroy();
  await worker.stop();
  return ms;
}

console.log('| codec | packet | time to onMessage | ms per MB |');
console.log('|---|---|---|---|');
for (const scheme of ['frame', 'text'] as const) {
  await timeOne(scheme, sizes[0] as number); // warm-up
  for (const size of sizes) {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) runs.push(await timeOne(scheme, size));
    const ms = runs.sort((a, b) => a - b)[2] as number;
    const mb = size / (1024 * 1024);
    console.log(`| ${scheme} | ${mb} MB | ${ms.toFixed(1)} ms | ${(ms / mb).toFixed(2)} |`);
  }
}
process.exit(0);
