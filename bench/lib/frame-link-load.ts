// The receiving end of bench/internal-link.ts: an AsyncTcpConnection to the
// frame:// worker counts the messages that arrive during `seconds`.
//   frame-link-load.ts <port> <seconds>
import { AsyncTcpConnection } from '../../src/index.js';

const [port, seconds] = process.argv.slice(2).map(Number) as [number, number];
let received = 0;
const link = new AsyncTcpConnection(`frame://127.0.0.1:${port}`);
link.onMessage = () => {
  received++;
};
link.connect();
await new Promise((resolve) => setTimeout(resolve, 500));
process.send?.({ phase: 'measuring' });
const before = received;
const start = performance.now();
await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
const elapsed = (performance.now() - start) / 1000;
process.send?.({ messages: received - before, seconds: elapsed });
link.destroy();
