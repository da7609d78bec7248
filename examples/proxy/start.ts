// The manual's AsyncTcpConnection proxy: tcp://127.0.0.1:4406 forwards each
// client to BACKEND (default tcp://127.0.0.1:3306, the manual's MySQL) over a
// connection of its own, and the answers back. Try it in front of any TCP
// service: BACKEND=tcp://127.0.0.1:6379 and `redis-cli -p 4406 ping`.
// (PORT picks another port.)
import { AsyncTcpConnection, Worker } from '../../src/index.js';

const port = Number(process.env.PORT ?? 4406);
const backendAddress = process.env.BACKEND ?? 'tcp://127.0.0.1:3306';

const proxy = new Worker(`tcp://127.0.0.1:${port}`);
proxy.name = 'proxy';

proxy.onConnect = (client) => {
  const backend = new AsyncTcpConnection(backendAddress);

  // `a.pipe(b)` sends everything a receives on to b, and takes care of the
  // two things a hand-written forwarder forgets:
  //  - backpressure: when b's send buffer fills (b's peer reads slower than
  //    a's peer writes), b's onBufferFull pauses reading from a, and
  //    onBufferDrain resumes it, so memory stays bounded by
  //    maxSendBufferSize instead of growing with the transfer (past it,
  //    send would refuse, and bytes would be lost);
  //  - closing: when either side closes, the other is closed too, after
  //    what is queued for it has been flushed.
  // Bytes the client sends before the backend is connected wait in the
  // backend's send queue, under the same bound.
  client.pipe(backend);
  backend.pipe(client);

  // A backend that cannot be reached closes the client through pipe;
  // say why in the log.
  backend.onError = (_connection, _code, message) => {
    console.error(`proxy: ${message}`);
  };
  backend.connect();
};

Worker.runAll();
