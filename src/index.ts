import { runAll } from './cli/run-all.js';
import { installEntryPoint } from './worker/entry-point.js';

export { AsyncTcpConnection } from './connection/async-tcp-connection.js';
export { AsyncUdpConnection } from './connection/async-udp-connection.js';
export type {
  Callback,
  ConnectionContext,
  ConnectionOwner,
  ErrorCallback,
} from './connection/connection.js';
export { ConnectionInterface } from './connection/connection.js';
export { PreparedMessage } from './connection/prepared-message.js';
export {
  ConnectionStatus,
  type ConnectionStatusValue,
  TcpConnection,
} from './connection/tcp-connection.js';
export { MAX_UDP_PACKAGE_SIZE, UdpConnection } from './connection/udp-connection.js';
export { upgradeToWebSocket } from './connection/upgrade-to-websocket.js';
export {
  CALLBACK_FAIL,
  CONNECT_FAIL,
  type ErrorCode,
  ErrorCodes,
  PROTOCOL_FAIL,
  SEND_FAIL,
  WorkermanError,
} from './errors.js';
export { GatewayApi, type GatewaySession } from './gateway/api/gateway-api.js';
export { GatewayClient, type GatewayClientOptions } from './gateway/api/gateway-client.js';
export type { ClientMessage } from './gateway/api/message-body.js';
export { BusinessWorker } from './gateway/business/business-worker.js';
export type { BusinessEventHandler, WebSocketHandshake } from './gateway/business/event-handler.js';
export { ClientContext } from './gateway/business/gateway-client-context.js';
export { Gateway } from './gateway/gateway/gateway.js';
export type { GatewayRouter, RoutedClient } from './gateway/gateway/router.js';
export { Register } from './gateway/register/register.js';
export {
  RegisterClient,
  type RegisterClientOptions,
  type RegisterRole,
} from './gateway/register/register-client.js';
export { openRegistry, type Registry, type RegistryOptions } from './gateway/registry/registry.js';
export { type LogSink, log, setLogSink } from './log.js';
export { Frame } from './protocols/frame.js';
export { Chunk } from './protocols/http/chunk.js';
export { formLimits } from './protocols/http/form-fields.js';
export { Http, type HttpOptions, type HttpSendable } from './protocols/http/http.js';
export {
  type FieldValue,
  fieldNesting,
  type NestedField,
  nestFields,
} from './protocols/http/nested-fields.js';
export { Request } from './protocols/http/request.js';
export { type UploadedFile, uploadLimits } from './protocols/http/request-body.js';
export {
  type HeadLimits,
  type HeadResult,
  parseRequestHead,
  type RequestHead,
} from './protocols/http/request-head.js';
export { type CookieOptions, Response } from './protocols/http/response.js';
export { type ServerSentEvent, ServerSentEvents } from './protocols/http/server-sent-events.js';
export { FileSessionHandler } from './protocols/http/session/file-session-handler.js';
export {
  type IoRedisLikeClient,
  type NodeRedisLikeClient,
  type RedisLikeClient,
  RedisSessionHandler,
} from './protocols/http/session/redis-session-handler.js';
export { Session } from './protocols/http/session/session.js';
export type { SessionHandler } from './protocols/http/session/session-handler.js';
export {
  type DotfilesPolicy,
  StaticFiles,
  type StaticFilesOptions,
} from './protocols/http/static-files.js';
export type {
  DecodedOf,
  DecodedOfCodec,
  EncodableOf,
  EncodableOfCodec,
  Protocol,
  RawData,
  RawSendable,
  SchemeTypes,
} from './protocols/protocol.js';
export { NO_MESSAGE } from './protocols/protocol.js';
export { Protocols } from './protocols/schemes.js';
export { Text } from './protocols/text.js';
export { CloseCode, isValidCloseCode } from './protocols/websocket/close-codes.js';
export {
  BINARY_TYPE_ARRAYBUFFER,
  BINARY_TYPE_BLOB,
  closeWebSocket,
  webSocketDefaults,
} from './protocols/websocket/session.js';
export { type WebSocketServerOptions, Websocket } from './protocols/websocket/websocket.js';
export type {
  WebSocketFields,
  WebSocketMessage,
  WebSocketResponse,
  WebSocketSendable,
} from './protocols/websocket/websocket-types.js';
export { Ws, Wss } from './protocols/websocket/ws.js';
export { statistics } from './statistics.js';
export { createStore, type StoreOptions } from './store/create-store.js';
export { FileStore, type FileStoreOptions } from './store/file-store.js';
export {
  MemcachedStore,
  type MemcachedStoreClient,
  type MemcachedStoreOptions,
} from './store/memcached-store.js';
export { RedisStore, type RedisStoreClient, type RedisStoreOptions } from './store/redis-store.js';
export {
  type JsonValue,
  type SetOptions,
  type Store,
  type StoreDriver,
  type StoreLimits,
  storeDefaults,
} from './store/store.js';
export { Timer } from './timer/timer.js';
export type { TransportName } from './transport/address.js';
export { type ListenAddress, parseAddress } from './transport/address.js';
export type {
  ContextOptions,
  SocketContextOptions,
  SslContextOptions,
} from './transport/context-options.js';
export { VERSION } from './version.js';
export { Worker } from './worker/worker.js';
export type {
  ConnectionFor,
  WorkerContext,
  WorkerDecoded,
  WorkerEncodable,
  WorkerOptions,
  WorkerTcpConnection,
  WorkerTransport,
  WorkerWebSocketHook,
} from './worker/worker-options.js';

// Worker.runAll() runs the command line and the process manager, which sit
// above the worker layer: the entry module plugs them in.
installEntryPoint(runAll);
