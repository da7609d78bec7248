// The manual's first example: a web server on http://127.0.0.1:2345 that
// answers every request with "hello world". Try `curl http://127.0.0.1:2345`.
// (PORT=8080 picks another port.)
import { Worker } from '../../src/index.js';

const port = Number(process.env.PORT ?? 2345);
const http = new Worker(`http://127.0.0.1:${port}`);
http.name = 'http-hello';

// Four processes share the port; the kernel spreads the connections.
http.count = 4;

// `request` is the parsed HTTP request (path, query, headers, body); a string
// sent back becomes a 200 text/html answer, with keep-alive as the client asks.
http.onMessage = (connection, _request) => {
  connection.send('hello world');
};

Worker.runAll();
