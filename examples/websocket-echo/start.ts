// The manual's second example: a WebSocket server on ws://127.0.0.1:2346
// that answers each text message with "hello <message>". Try it from a
// browser's console:
//   ws = new WebSocket('ws://127.0.0.1:2346');
//   ws.onmessage = (e) => console.log(e.data);
//   ws.onopen = () => ws.send('tom');            // logs "hello tom"
// (PORT=8080 picks another port.)
import { Worker } from '../../src/index.js';

const port = Number(process.env.PORT ?? 2346);
const ws = new Worker(`websocket://127.0.0.1:${port}`);
ws.name = 'websocket-echo';
ws.count = 4;

// The handshake is the codec's business: onMessage sees whole messages only,
// a text message as a string and a binary one as a Buffer. A string sent
// goes out as a text frame, a Buffer as a binary frame, so binary data is
// echoed back untouched.
ws.onMessage = (connection, data) => {
  connection.send(typeof data === 'string' ? `hello ${data}` : data);
};

Worker.runAll();
