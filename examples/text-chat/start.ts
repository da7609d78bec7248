// The manual's first chat (the basic workflow chapter): a line-based chat on
// text://, every line a client sends goes to everyone, with who said it.
// Try it with `telnet 127.0.0.1 2348` in two terminals.
import { Worker } from '../../src/index.js';

const port = Number(process.env.PORT ?? 2348);
const chat = new Worker(`text://127.0.0.1:${port}`);
chat.name = 'text-chat';

chat.onConnect = (connection) => {
  connection.send(`welcome, you are #${connection.id}`);
  chat.broadcast(`#${connection.id} joined`, { exclude: connection });
};

// One encoding for everyone: broadcast sends the same bytes to each connection.
chat.onMessage = (connection, line) => {
  chat.broadcast(`#${connection.id}: ${line}`);
};

chat.onClose = (connection) => {
  chat.broadcast(`#${connection.id} left`);
};

Worker.runAll();
