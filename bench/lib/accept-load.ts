// Load generator for the accept benchmark, run in its own process:
//   argv: port concurrency seconds
// Each of `concurrency` loops opens a connection, sends one line, awaits
// the reply and closes, again and again. Prints { accepted, seconds } on IPC.
import { connect } from 'node:net';

const [portText, concurrencyText, secondsText] = process.argv.slice(2);
const port = Number(portText);
const seconds = Number(secondsText);
let measuring = false;
let running = true;
let accepted = 0;
let failed = 0;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', noDelay: true }, () => socket.write('x\n'));
    socket.once('data', () => {
      if (measuring) accepted++;
      socket.destroy();
      resolve();
    });
    socket.once('error', () => {
      failed++;
      resolve();
    });
  });
}

async function loop(): Promise<void> {
  while (running) await once();
}

const loops = Array.from({ length: Number(concurrencyText) }, loop);
await new Promise((resolve) => setTimeout(resolve, 1000)); // warm-up
process.send?.({ phase: 'measuring' });
measuring = true;
const started = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
measuring = false;
const elapsed = (performance.now() - started) / 1000;
running = false;
await Promise.all(loops);
process.send?.({ accepted, failed, seconds: elapsed });
process.disconnect?.();
