// The peer of bench/text-echo.ts: a plain node:net server doing the same
// newline framing by hand, the way it is usually written.
import { createServer } from 'node:net';

const server = createServer({ noDelay: true }, (socket) => {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    let at = pending.indexOf('\n');
    while (at !== -1) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      socket.write(`${line}\n`);
      at = pending.indexOf('\n');
    }
  });
  socket.on('error', () => {});
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address ? address.port : 0 });
});
