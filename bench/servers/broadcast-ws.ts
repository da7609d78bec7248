// The ws side of bench/broadcast.ts, as its README broadcasts: `send` to
// each client (with permessage-deflate, each client's send compresses).
// bufferutil is installed, so ws uses it.
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { BROADCAST_PAYLOAD } from '../lib/broadcast-payload.js';

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });
await once(server, 'listening');
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary || (data as Buffer).toString() !== 'go') return;
    for (const each of server.clients) each.send(BROADCAST_PAYLOAD);
  });
});
process.send?.({ port: (server.address() as { port: number }).port });
