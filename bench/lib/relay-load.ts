// Load for bench/gateway.ts, in its own process: N raw WebSocket clients
// (plain, or speaking socket.io's engine.io packets over the websocket
// transport), then two measured phases:
//   fan-out:  `messages` messages of 64 bytes, `inFlight` at a time, each
//             sent by a different client and relayed by the server to every
//             client; the delay of each delivery from its send is recorded;
//   requests: the first `requestClients` clients each keep one request in
//             flight, which the server sends back to its sender only, until
//             `requests` answers arrived.
// The parent is told on IPC when the clients are connected and at each
// phase's start and end (it reads the server's CPU time there), and answers
// every report before the load goes on. With `wait`, the load first reports
// `ready` and connects once answered (a parent measuring the servers' memory
// with this process already running); a parent that never answers
// `connected` keeps the clients idle (socket.io's pings are still answered).
//   relay-load.ts <port> <clients> <raw|socketio> <messages> <inFlight> <requests> <requestClients> [wait]
import type { Socket } from 'node:net';
import { frameReader, maskedTextFrame, openWebSocket, sourceAddress } from './ws-raw-clients.js';

const args = process.argv.slice(2);
const [port, clients] = args.slice(0, 2).map(Number) as [number, number];
const socketIo = args[2] === 'socketio';
const [messages, inFlight, requests, requestClientsWanted] = args.slice(3, 7).map(Number) as [
  number,
  number,
  number,
  number,
];
const requestClients = Math.min(clients, requestClientsWanted);
const MESSAGE_BYTES = 64;
/** Where the message text starts in a server frame's payload: after `42["m","` for socket.io. */
const TEXT_OFFSET = socketIo ? 8 : 0;

function frameFor(text: string): Buffer {
  const padded = text.padEnd(MESSAGE_BYTES, 'x');
  return maskedTextFrame(socketIo ? `42["m","${padded}"]` : padded);
}

/** Reports to the parent and waits for its answer. */
function report(message: object): Promise<unknown> {
  return new Promise((resolve) => {
    process.once('message', resolve);
    process.send?.(message);
  });
}

// Fan-out state: per message in flight, when it was sent and how many clients still wait for it.
const sentAt = new Map<number, number>();
const remaining = new Map<number, number>();
let nextId = 0;
let fanSent = 0;
let fanTotal = 0;
let fanDone = 0;
let fanFinished: (() => void) | null = null;
let fanDelays: Float64Array | null = null;
let fanDelayCount = 0;
let progress = 0;

// Request state: when each client's request in flight was sent.
const requestSentAt = new Float64Array(clients);
let requestsSent = 0;
let requestsDone = 0;
let requestsFinished: (() => void) | null = null;
const requestDelays = new Float64Array(requests);

const sockets: Socket[] = [];
const socketIoConnected = new Map<Socket, () => void>();
const PONG = maskedTextFrame('3');
const SOCKET_IO_CONNECT = maskedTextFrame('40');

function sendMessage(): void {
  const id = nextId++;
  sentAt.set(id, performance.now());
  remaining.set(id, clients);
  fanSent++;
  (sockets[id % clients] as Socket).write(frameFor(`a${id} `));
}

function sendRequest(index: number): void {
  requestsSent++;
  requestSentAt[index] = performance.now();
  (sockets[index] as Socket).write(frameFor(`e${index} `));
}

function delivered(id: number): void {
  const left = remaining.get(id);
  if (left === undefined) return; // From an abandoned warm-up attempt.
  progress++;
  if (fanDelays) fanDelays[fanDelayCount++] = performance.now() - (sentAt.get(id) as number);
  if (left > 1) {
    remaining.set(id, left - 1);
    return;
  }
  remaining.delete(id);
  sentAt.delete(id);
  fanDone++;
  if (fanSent < fanTotal) sendMessage();
  else if (fanDone === fanTotal) fanFinished?.();
}

function answered(index: number): void {
  progress++;
  requestDelays[requestsDone++] = performance.now() - (requestSentAt[index] as number);
  if (requestsSent < requests) sendRequest(index);
  else if (requestsDone === requests) requestsFinished?.();
}

function readNumber(data: Buffer, at: number, end: number): number {
  let value = 0;
  for (; at < end; at++) {
    const digit = (data[at] as number) - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return value;
}

const onData = frameReader((socket, data, start, end) => {
  if (socketIo) {
    const type = data[start];
    if (type === 0x32 && end - start === 1) {
      socket.write(PONG); // engine.io ping
      return;
    }
    if (type === 0x34 && data[start + 1] === 0x30) {
      socketIoConnected.get(socket)?.();
      socketIoConnected.delete(socket);
      return;
    }
    if (type !== 0x34 || data[start + 1] !== 0x32) return;
  }
  const at = start + TEXT_OFFSET;
  if (data[at] === 0x61) delivered(readNumber(data, at + 1, end));
  else if (data[at] === 0x65) answered(readNumber(data, at + 1, end));
});

async function open(index: number): Promise<Socket> {
  const path = socketIo ? '/socket.io/?EIO=4&transport=websocket' : '/';
  const socket = await openWebSocket(port, sourceAddress(index), onData, '', path);
  if (socketIo) {
    await new Promise<void>((resolve) => {
      socketIoConnected.set(socket, resolve);
      socket.write(SOCKET_IO_CONNECT);
    });
  }
  return socket;
}

/** Sends `total` fan-out messages, `inFlight` at a time; false if they are not all delivered within `timeoutMs`. */
function fanOut(total: number, timeoutMs: number): Promise<boolean> {
  sentAt.clear();
  remaining.clear();
  fanSent = 0;
  fanDone = 0;
  fanTotal = total;
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    fanFinished = () => {
      clearTimeout(timer);
      resolve(true);
    };
    for (let i = 0; i < Math.min(inFlight, total); i++) sendMessage();
  });
}

function percentile(sorted: Float64Array, share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
}

if (args[7] === 'wait') await report({ phase: 'ready' });
for (let i = 0; i < clients; i += 100) {
  const batch = Array.from({ length: Math.min(100, clients - i) }, (_, j) => open(i + j));
  sockets.push(...(await Promise.all(batch)));
}
await report({ phase: 'connected' });

// A stalled phase fails the run instead of hanging it.
let lastProgress = -1;
setInterval(() => {
  if (progress === lastProgress) {
    console.error(
      `relay-load: no delivery for 30 s (${fanDone} messages, ${requestsDone} requests done)`,
    );
    process.exit(2);
  }
  lastProgress = progress;
}, 30_000).unref();

// Warm-up: until a round of messages from different clients reaches every
// client (the servers' processes are then all linked), then a tenth of the run.
let linked = false;
// Each attempt allows for as few as 5,000 deliveries per second.
const attemptMs = 3000 + (2 * inFlight * clients) / 5;
for (let attempt = 0; attempt < 20 && !linked; attempt++) {
  linked = await fanOut(2 * inFlight, attemptMs);
}
if (!linked) {
  console.error('relay-load: messages never reached every client');
  process.exit(3);
}
await fanOut(Math.max(2 * inFlight, Math.round(messages / 10)), 60_000);

await report({ phase: 'fanout' });
fanDelays = new Float64Array(messages * clients);
fanDelayCount = 0;
let start = performance.now();
await fanOut(messages, 600_000);
let seconds = (performance.now() - start) / 1000;
const fanSorted = fanDelays.subarray(0, fanDelayCount).sort();
await report({
  phase: 'fanout-done',
  deliveries: fanDelayCount,
  seconds,
  p50: percentile(fanSorted, 0.5),
  p99: percentile(fanSorted, 0.99),
});

start = performance.now();
await new Promise<void>((resolve) => {
  requestsFinished = resolve;
  for (let i = 0; i < Math.min(requestClients, requests); i++) sendRequest(i);
});
seconds = (performance.now() - start) / 1000;
const requestSorted = requestDelays.sort();
await report({
  phase: 'requests-done',
  requests: requestsDone,
  seconds,
  p50: percentile(requestSorted, 0.5),
  p99: percentile(requestSorted, 0.99),
});
for (const socket of sockets) socket.destroy();
process.exit(0);
