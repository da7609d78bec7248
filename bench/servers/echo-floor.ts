// The least a Node server can do per message, the reference row of
// bench/hot-path.ts: each read lands in one shared buffer (the `onread`
// option) and the same bytes go straight back to the socket's handle, with
// no framing, no stream and no per-message state. Uses Node internals
// (process.binding('stream_wrap')), which is why it is a reference and not
// a way to write a server. Runs in <processes> node:cluster processes.
//   node --import tsx bench/servers/echo-floor.ts [processes]
import { createServer, type Socket } from 'node:net';
import { adoptWithReadBuffer } from '../../src/transport/read-buffer.js';
import { runClustered } from '../lib/cluster-server.js';

interface Handle {
  writeLatin1String(request: object, data: string): number;
}
const { WriteWrap } = (
  process as unknown as { binding(name: string): { WriteWrap: new () => Record<string, unknown> } }
).binding('stream_wrap');
const onComplete = () => {};

function echo(this: Socket, bytes: number, buffer: Uint8Array): boolean {
  const handle = (this as Socket & { _handle: Handle })._handle;
  const request = new WriteWrap();
  request.handle = handle;
  request.oncomplete = onComplete;
  const chunk = Buffer.from(buffer.buffer, buffer.byteOffset, bytes);
  handle.writeLatin1String(request, chunk.toString('latin1'));
  return true;
}

await runClustered(Number(process.argv[2] ?? 1), async () => {
  const server = createServer({ pauseOnConnect: true, noDelay: true }, (accepted) => {
    const socket = adoptWithReadBuffer(accepted, echo);
    socket.setNoDelay(true);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
});
