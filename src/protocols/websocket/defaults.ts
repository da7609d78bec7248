import { connectionDefaults, type StreamCodecConnection } from '../codec-connection.js';

/**
 * Process-wide WebSocket defaults (both sides: `websocket://`, `ws://`,
 * `wss://`). Each child process runs one worker, so per process is per
 * worker in practice.
 *
 * `maxPackageSize`: the message limit of a WebSocket connection whose own
 * `maxPackageSize` was left at the generic `TcpConnection.defaultMaxPackageSize`
 * as shipped (10 MiB, a packet limit): WebSocket peers commonly allow bigger
 * messages (ws: 100 MiB) and the Autobahn suite sends 16 MiB ones. Setting
 * `connection.maxPackageSize` (in `onConnect` or `onWebSocketConnect`, or
 * before `connect()`) overrides it, and so does changing
 * `TcpConnection.defaultMaxPackageSize`: a lowered generic limit is never
 * raised for WebSocket connections.
 *
 * `minFragmentBytes`: each fragment of a fragmented message counts at least
 * this many bytes toward the message limit. Every frame costs work whatever
 * it carries, so a flood of 1-byte fragments reaches the limit after
 * `maxPackageSize / minFragmentBytes` frames (262,144 at 32 MiB) and is
 * closed with 1009, instead of after one frame per byte. Fragments of this
 * size or more count their payload only, so ordinary fragmented messages
 * keep the full limit.
 *
 * `maxInflatedSize`: the most a permessage-deflate message may inflate to
 * (also bounded by the connection's `maxPackageSize`). A compressed message
 * costs its sender about a thousandth of what it costs us to inflate, so
 * this is far below the message limit; a message reaching it is refused
 * with 1009 as soon as the inflater passes it.
 *
 * `zlibConcurrency`: how many permessage-deflate jobs of this process run
 * at once on libuv's threadpool (which file and DNS work share; 4 threads
 * unless `UV_THREADPOOL_SIZE` says otherwise). Messages inflating to at
 * most 16 KiB, and messages of at most 16 KiB to compress, are handled on
 * the event loop at once (cheaper than the hand-over); bigger ones queue
 * for the threadpool.
 */
export const webSocketDefaults = {
  maxPackageSize: 32 * 1024 * 1024,
  minFragmentBytes: 128,
  maxInflatedSize: 4 * 1024 * 1024,
  zlibConcurrency: 2,
};

/** The generic packet limit as shipped, before the app could change it. */
const SHIPPED_MAX_PACKAGE_SIZE = connectionDefaults.maxPackageSize;

/**
 * Applies `webSocketDefaults.maxPackageSize` to a connection still at the
 * generic default, unless the app changed that default.
 */
export function applyWebSocketLimit(connection: StreamCodecConnection): void {
  const generic = connectionDefaults.maxPackageSize;
  if (generic === SHIPPED_MAX_PACKAGE_SIZE && connection.maxPackageSize === generic) {
    connection.maxPackageSize = webSocketDefaults.maxPackageSize;
  }
}
