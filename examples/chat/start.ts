// A line-based chat on text://127.0.0.1:2347: every line a client sends is
// broadcast to everyone. Try it with `telnet 127.0.0.1 2347` in two terminals.
import { Worker } from '../../src/index.js';

const port = Number(process.env.PORT ?? 2347);
const chat = new Worker(`text://127.0.0.1:${port}`);
chat.name = 'chat';

chat.onConnect = (connection) => {
  connection.send(`welcome, you are #${connection.id}`);
};

chat.onMessage = (connection, line) => {
  for (const peer of chat.connections.values()) peer.send(`#${connection.id}: ${line}`);
};

chat.onClose = (connection) => {
  for (const peer of chat.connections.values()) peer.send(`#${connection.id} left`);
};

Worker.runAll();
