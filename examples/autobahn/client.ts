// Runs every case of an Autobahn|Testsuite fuzzingserver (Autobahn tests our
// ws:// client, cases 1-13), then asks it to write its report:
//
//   wstest -m fuzzingserver -s fuzzingserver.json            # url: ws://127.0.0.1:9001
//   node --import tsx examples/autobahn/client.ts [ws://127.0.0.1:9001] [agent]
//
// Each case is one connection that echoes every message until the server
// closes it; cases run one after the other, as the fuzzingserver expects.
import { AsyncTcpConnection, CONNECT_FAIL } from '../../src/index.js';

const base = process.argv[2] ?? 'ws://127.0.0.1:9001';
const agent = process.argv[3] ?? 'workerman-ts';

/** Opens `path` (echoing what arrives when `echo`), resolves with the messages once the server closes. */
function session(path: string, echo = false): Promise<(string | Buffer)[]> {
  return new Promise((resolve, reject) => {
    const received: (string | Buffer)[] = [];
    // The base is a ws:// URL; saying so types the messages as WebSocket's.
    const client = new AsyncTcpConnection(`${base}${path}` as `ws://${string}`);
    client.maxSendBufferSize = 256 * 1024 * 1024;
    client.onMessage = (connection, data) => {
      received.push(data);
      if (echo) connection.send(data);
    };
    client.onError = (_connection, code, message) => {
      if (code === CONNECT_FAIL) reject(new Error(message));
    };
    client.onClose = () => resolve(received);
    client.connect();
  });
}

const [countMessage] = await session('/getCaseCount');
const count = Number(countMessage);
if (!Number.isInteger(count) || count < 0) throw new Error(`bad case count: ${countMessage}`);
for (let index = 1; index <= count; index++) {
  await session(`/runCase?case=${index}&agent=${encodeURIComponent(agent)}`, true);
  console.log(`case ${index}/${count} done`);
}
await session(`/updateReports?agent=${encodeURIComponent(agent)}`);
console.log(`${count} cases run; reports updated for ${agent}`);
