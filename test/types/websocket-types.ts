// Type tests of the WebSocket settings and hooks, which `TcpConnection`,
// `AsyncTcpConnection` and `Worker` declare as their own members: compiled by
// `tsc -p tsconfig.json` (the test command), never run. Each
// `@ts-expect-error` is a use that must not compile.
import { expectTypeOf } from 'expect-type';
import {
  AsyncTcpConnection,
  BINARY_TYPE_ARRAYBUFFER,
  type ConnectionContext,
  type Request,
  type TcpConnection,
  type WebSocketFields,
  type WebSocketResponse,
  type WebSocketSendable,
  Worker,
} from '../../src/index.js';

type ServerConnection = TcpConnection<string | Buffer, WebSocketSendable, ConnectionContext>;

// Server side: a worker's handshake hooks get the upgrade request as an HTTP
// Request, and its connections as the worker types them.
const server = new Worker('websocket://0.0.0.0:8080');
server.onWebSocketConnect = (connection, request) => {
  expectTypeOf(connection).toEqualTypeOf<ServerConnection>();
  expectTypeOf(request).toEqualTypeOf<Request>();
  connection.headers = ['Sec-WebSocket-Protocol: chat'];
  return request.path();
};
server.onWebSocketConnected = (_connection, request) => {
  expectTypeOf(request).toEqualTypeOf<Request>();
};
server.onWebSocketPing = (connection, data) => {
  expectTypeOf(data).toEqualTypeOf<Buffer>();
  connection.send({ type: 'binary', data });
};
server.onWebSocketPong = (_connection, data) => {
  expectTypeOf(data).toEqualTypeOf<Buffer>();
};
server.onWebSocketClose = (_connection, code, reason) => {
  expectTypeOf(code).toBeNumber();
  expectTypeOf(reason).toBeString();
};
server.websocketType = BINARY_TYPE_ARRAYBUFFER;
server.websocketPingInterval = 25;
server.onWebSocketPing = null;
// @ts-expect-error seconds are a number
server.websocketPingInterval = '25';
// @ts-expect-error the server's hook gets the Request, which has no status
server.onWebSocketConnect = (_connection, request) => request.status;
// @ts-expect-error no such setting
server.websocketPingTimeout = 5;

// Every worker is a WebSocketFields with the HTTP Request as handshake head.
expectTypeOf(server).toExtend<WebSocketFields<ServerConnection, Request>>();
const plain: Worker = server;
plain.onWebSocketConnect = (connection, request) => {
  expectTypeOf(request).toEqualTypeOf<Request>();
  expectTypeOf(connection.id).toBeNumber();
};

// A connection's own hooks win over its worker's; one may be on either side,
// so its handshake hooks get the Request or the server's answer.
server.onConnect = (connection) => {
  connection.onWebSocketConnect = (self, head) => {
    expectTypeOf(self).toEqualTypeOf<ServerConnection>();
    expectTypeOf(head).toEqualTypeOf<Request | WebSocketResponse>();
    if ('path' in head) head.path();
  };
  connection.websocketPingInterval = 0;
  connection.onWebSocketClose = (_self, code) => {
    expectTypeOf(code).toBeNumber();
  };
};

// Client side: a ws:// connection's onWebSocketConnect gets the server's answer.
const client = new AsyncTcpConnection('ws://127.0.0.1:8080/chat');
client.websocketOrigin = 'https://example.com';
client.websocketClientProtocol = 'chat, superchat';
client.headers = { 'X-Token': 'secret' };
client.onWebSocketConnect = (connection, response) => {
  expectTypeOf(connection).toEqualTypeOf<AsyncTcpConnection<'ws://127.0.0.1:8080/chat'>>();
  expectTypeOf(response).toEqualTypeOf<WebSocketResponse>();
  expectTypeOf(response.protocol).toBeString();
  connection.send('hello');
  // @ts-expect-error a client gets the server's answer, not a Request
  response.path();
};
// @ts-expect-error headers are lines or a record
client.headers = 5;

// The public interface, without a head type, takes either side's.
type DefaultHead = Parameters<
  NonNullable<WebSocketFields<ServerConnection>['onWebSocketConnect']>
>[1];
expectTypeOf<DefaultHead>().toEqualTypeOf<Request | WebSocketResponse>();
