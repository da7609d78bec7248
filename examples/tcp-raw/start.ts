// The manual's third example: a raw TCP server on tcp://127.0.0.1:2347, no
// application protocol at all. Try `telnet 127.0.0.1 2347` and type a line.
// (PORT=8080 picks another port.)
import { Worker } from '../../src/index.js';

const port = Number(process.env.PORT ?? 2347);
const tcp = new Worker(`tcp://127.0.0.1:${port}`);
tcp.name = 'tcp-raw';
tcp.count = 4;

// Without a codec, a "message" is whatever one read returned: a Buffer that
// may hold half a line, or three. The manual answers `'hello ' . $data`,
// which would drop "hello " at arbitrary points of the stream; echoing the
// bytes unchanged keeps the stream intact, binary included. As soon as
// messages have a meaning, give them a codec (text://, frame://, your own).
tcp.onMessage = (connection, bytes) => {
  connection.send(bytes);
};

Worker.runAll();
