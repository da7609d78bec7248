// Load generator for the echo benchmarks, run in its own process:
//   argv: port connections depth seconds messageBytes
// Each connection keeps `depth` lines in flight (1 = strict request/response)
// and sends a new one per reply. Prints { replies, seconds } as JSON on IPC.
import { connect, type Socket } from 'node:net';

const [portText, connectionsText, depthText, secondsText, bytesText] = process.argv.slice(2);
const port = Number(portText);
const connections = Number(connectionsText);
const depth = Number(depthText);
const seconds = Number(secondsText);
const line = Buffer.from(`${'x'.repeat(Math.max(1, Number(bytesText) - 1))}\n`);
const burst = Buffer.concat(Array.from({ length: depth }, () => line));

let replies = 0;
let measuring = false;
const sockets: Socket[] = [];

function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve());
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      let count = 0;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) count++;
      if (measuring) replies += count;
      if (count === 1) socket.write(line);
      else if (count === depth) socket.write(burst);
      else socket.write(Buffer.concat(Array.from({ length: count }, () => line)));
    });
    sockets.push(socket);
  });
}

// Open in batches so the accept queue is not flooded.
for (let i = 0; i < connections; i += 100) {
  await Promise.all(Array.from({ length: Math.min(100, connections - i) }, open));
}
for (const socket of sockets) socket.write(burst);
await new Promise((resolve) => setTimeout(resolve, 1000)); // warm-up
process.send?.({ phase: 'measuring' });
measuring = true;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - started) / 1000;
process.send?.({ replies, seconds: elapsed });
for (const socket of sockets) socket.destroy();
process.disconnect?.();
