// Uploads one file to the file-transfer example and prints its answer:
//   node --import tsx examples/file-transfer/send-file.ts <file> [name]
// `name` is what the server is asked to save it as (default: the file's own
// name). HOST and PORT say where the server is (127.0.0.1:8333).
// Exits with 0 once the server confirms the upload, 1 otherwise.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AsyncTcpConnection } from '../../src/index.js';
import { uploadPacket } from './binary-transfer.js';

const [file, name = basename(file ?? '')] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: send-file.ts <file> [name]');
  process.exit(2);
}
const packet = uploadPacket(name, await readFile(file));

// The server answers in text lines, so the client speaks text:// and sends
// the upload packet raw, past the text codec.
const host = process.env.HOST ?? '127.0.0.1';
const server = new AsyncTcpConnection(`text://${host}:${process.env.PORT ?? 8333}`);
let answered = false;

server.onConnect = (connection) => {
  connection.send(packet, true);
};
server.onMessage = (connection, answer) => {
  answered = true;
  console.log(answer);
  process.exitCode = answer.startsWith('upload success') ? 0 : 1;
  connection.close();
};
server.onError = (_connection, _code, message) => {
  console.error(message);
};
server.onClose = () => {
  if (answered) return;
  console.error('the server closed the connection without an answer');
  process.exitCode = 1;
};
server.connect();
