// Echo server for the Autobahn|Testsuite in fuzzingclient mode (Autobahn
// tests our websocket:// server, cases 1-13):
//
//   node --import tsx examples/autobahn/server.ts start      # PORT, default 9001
//   wstest -m fuzzingclient -s fuzzingclient.json           # servers: [{ "url": "ws://127.0.0.1:9001" }]
//
// Text comes back as text and binary as binary, whatever their size.
import { Worker, webSocketDefaults } from '../../src/index.js';

const port = Number(process.env.PORT ?? 9001);
const echo = new Worker(`websocket://127.0.0.1:${port}`);
echo.name = 'autobahn-echo';
// Compressed messages as big as uncompressed ones (the default inflates at most 4 MiB).
webSocketDefaults.maxInflatedSize = webSocketDefaults.maxPackageSize;

echo.onConnect = (connection) => {
  // Case group 9 sends messages up to 16 MiB, many in a row: an echo server
  // must queue what the peer has not read yet rather than refuse it.
  connection.maxSendBufferSize = 256 * 1024 * 1024;
};

echo.onMessage = (connection, data) => {
  connection.send(data);
};

Worker.runAll();
