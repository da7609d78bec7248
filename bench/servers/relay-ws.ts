// The single-process ws side of bench/gateway.ts: a text message that starts
// with "a" is sent to every client (ws's documented broadcast: `send` to each
// client; no routing), any other back to its sender. bufferutil is installed.
import { once } from 'node:events';
import { WebSocketServer } from 'ws';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
await once(server, 'listening');
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    const message = data as Buffer;
    if (message[0] !== 0x61) socket.send(message, { binary: isBinary });
    else for (const each of server.clients) each.send(message, { binary: isBinary });
  });
});
process.send?.({ port: (server.address() as { port: number }).port, pids: [process.pid] });
