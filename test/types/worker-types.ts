// Type tests: compiled by `tsc -p tsconfig.json` (the test command), never
// run. Each `@ts-expect-error` is a use that must not compile; the compiler
// fails if it does.
import { expectTypeOf } from 'expect-type';
import {
  AsyncTcpConnection,
  type ConnectionContext,
  Frame,
  type RawData,
  type Request,
  Response,
  type TcpConnection,
  Text,
  type UdpConnection,
  Worker,
} from '../../src/index.js';

declare const fromEnvironment: string;

// An address read at run time: the data is every known codec's type (to
// narrow), never `never`, and the connection may be TCP or UDP.
const configured = new Worker(fromEnvironment);
configured.onMessage = (connection, data) => {
  expectTypeOf(data).not.toBeNever();
  expectTypeOf<string>().toExtend<typeof data>();
  expectTypeOf<Buffer>().toExtend<typeof data>();
  expectTypeOf<Request>().toExtend<typeof data>();
  expectTypeOf<UdpConnection<typeof data, never, ConnectionContext>>().toExtend<
    typeof connection
  >();
  if (typeof data === 'string') connection.send(data);
};
configured.onConnect = (connection) => {
  // Only stream connections are opened and closed.
  expectTypeOf(connection.id).toBeNumber();
};

// A literal address: the scheme's codec types the data and what `send` takes.
const text = new Worker('text://0.0.0.0:2347');
text.onMessage = (connection, line) => {
  expectTypeOf(line).toBeString();
  connection.send(line.toUpperCase());
  // @ts-expect-error text:// sends strings and bytes, not numbers
  connection.send(42);
  // @ts-expect-error a line is a string
  const wrong: number = line;
  void wrong;
};

// A template address keeps its scheme.
const port = 8080;
const websocket = new Worker(`websocket://0.0.0.0:${port}`);
websocket.onMessage = (_connection, message) => {
  expectTypeOf(message).toEqualTypeOf<string | Buffer>();
};

const http = new Worker('http://0.0.0.0:8080');
http.onMessage = (connection, request) => {
  expectTypeOf(request).toEqualTypeOf<Request>();
  connection.send(new Response(200, {}, 'ok'));
};

// The protocol option: a codec object or a registered name wins over the scheme.
const fromConfigWithCodec = new Worker(fromEnvironment, { protocol: Text });
fromConfigWithCodec.onMessage = (_connection, line) => {
  expectTypeOf(line).toBeString();
};
const unixText = new Worker('unix:///run/app.sock', { protocol: 'text' });
unixText.onMessage = (connection, line) => {
  expectTypeOf(line).toBeString();
  expectTypeOf(connection).toExtend<TcpConnection<string, string | Buffer, ConnectionContext>>();
};
const framed = new Worker('text://0.0.0.0:1', { protocol: Frame });
framed.onMessage = (_connection, packet) => {
  expectTypeOf(packet).toEqualTypeOf<Buffer>();
};
const raw = new Worker('text://0.0.0.0:1', { protocol: null });
raw.onMessage = (_connection, chunk) => {
  expectTypeOf(chunk).toEqualTypeOf<RawData>();
};
// @ts-expect-error a codec is an object with input/decode/encode, or a name
new Worker('tcp://0.0.0.0:1', { protocol: 42 });

// The transport option: UDP connections arrive, and the types say so.
const udp = new Worker('text://0.0.0.0:5000', { transport: 'udp' });
udp.onMessage = (connection, line) => {
  expectTypeOf(connection).toEqualTypeOf<
    UdpConnection<string, string | Buffer, ConnectionContext>
  >();
  expectTypeOf(line).toBeString();
};
const udpAddress = new Worker('udp://0.0.0.0:5000');
udpAddress.onMessage = (connection, datagram) => {
  expectTypeOf(connection).toExtend<UdpConnection>();
  expectTypeOf(datagram).toEqualTypeOf<RawData>();
};
const tls = new Worker('text://0.0.0.0:4430', { transport: 'ssl', ssl: { cert: '', key: '' } });
tls.onMessage = (connection) => {
  expectTypeOf(connection).toExtend<TcpConnection<string, string | Buffer, ConnectionContext>>();
};
// @ts-expect-error no such transport
new Worker('text://0.0.0.0:1', { transport: 'quic' });

// Per-connection state: typed by the context option, an open object without it.
// (A `type`, not an `interface`: an object type without an index signature
// is not assignable to the open context of a plain `Worker`.)
type Player = {
  uid: number;
  room: string | null;
};
const game = new Worker('websocket://0.0.0.0:7272', {
  context: (): Player => ({ uid: 0, room: null }),
});
game.onConnect = (connection) => {
  expectTypeOf(connection.context).toEqualTypeOf<Player>();
  connection.context.uid = 7;
  // @ts-expect-error uid is a number
  connection.context.uid = 'seven';
  // @ts-expect-error Player has no such field
  connection.context.score = 1;
};
game.onMessage = (connection) => {
  // Worker types flow to every callback, including the ones given as methods.
  expectTypeOf(connection.context).toEqualTypeOf<Player>();
  for (const other of game.connections.values())
    expectTypeOf(other.context).toEqualTypeOf<Player>();
};
// @ts-expect-error the context is an object
new Worker('text://0.0.0.0:1', { context: () => 5 });

const open = new Worker('text://0.0.0.0:2347');
open.onConnect = (connection) => {
  connection.context.uid = 1; // as PHP's $connection->uid = 1
  expectTypeOf(connection.context.uid).toBeUnknown();
};

// Every worker is a Worker, whatever its options.
const all: Worker[] = [configured, text, websocket, http, unixText, udp, game, open, framed, raw];
void all;

// @ts-expect-error an address is a string
new Worker(2347);

// Outbound clients: a run-time address is a union too.
const client = new AsyncTcpConnection(fromEnvironment);
client.onMessage = (_connection, data) => {
  expectTypeOf(data).not.toBeNever();
};
const wsClient = new AsyncTcpConnection('ws://127.0.0.1:7272/chat');
wsClient.onMessage = (_connection, data) => {
  expectTypeOf(data).toEqualTypeOf<string | Buffer>();
};
