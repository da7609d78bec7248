// The manual's Gateway/Worker showcase, the tadpole pond: every player swims
// a tadpole in one shared pond in the browser, and positions and chat
// bubbles go to everyone through the gateways.
//
//   node --import tsx examples/tadpole/start.ts start
//   open http://127.0.0.1:8686 in two windows (or on two machines of the LAN)
//   node --import tsx examples/tadpole/swarm.ts 50     # 50 more tadpoles for a minute
//
// Processes: a register (127.0.0.1:1237), two gateways holding the players'
// WebSockets (websocket://0.0.0.0:8585, internal ports from 4000), two
// business workers running events.ts, and a web server for web/.
// Environment: HOST (0.0.0.0), REGISTER_PORT, GATEWAY_PORT, START_PORT (0:
// any free internal port), WEB_PORT, CLUSTER_SECRET, and the limits
// UPDATES_PER_SECOND (20), MESSAGES_PER_SECOND (1), MAX_MESSAGE_BYTES (4096).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  BusinessWorker,
  Gateway,
  Register,
  Response,
  StaticFiles,
  Worker,
} from '../../src/index.js';
import { createTadpoleEvents, DEFAULT_LIMITS } from './events.js';

const env = process.env;

/** `env[name]` as a whole number >= `min`, or `fallback` when unset; anything else stops the start. */
function wholeNumber(name: string, fallback: number, min: number): number {
  const value = env[name] === undefined || env[name] === '' ? fallback : Number(env[name]);
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(
      `${name} must be a whole number >= ${min}, got ${JSON.stringify(env[name])}`,
    );
  }
  return value;
}

const host = env.HOST ?? '0.0.0.0';
const registerAddress = `127.0.0.1:${wholeNumber('REGISTER_PORT', 1237, 1)}`;
const gatewayPort = wholeNumber('GATEWAY_PORT', 8585, 1);
const webPort = wholeNumber('WEB_PORT', 8686, 1);
const startPort = wholeNumber('START_PORT', 4000, 0);
const maxMessageBytes = wholeNumber('MAX_MESSAGE_BYTES', 4096, 256);

// Gateways and business workers prove this key to each other and to the
// register. The start file runs again in every child process, and children
// inherit the master's environment: the master picks a key once, and every
// process of this start shares it. Set CLUSTER_SECRET to let a GatewayClient
// of another program push into the pond.
env.CLUSTER_SECRET ??= randomBytes(16).toString('hex');
const secretKey = env.CLUSTER_SECRET;

new Register(`text://${registerAddress}`).secretKey = secretKey;

const gateway = new Gateway(`websocket://${host}:${gatewayPort}`);
gateway.name = 'TadpoleGateway';
gateway.count = 2;
gateway.lanIp = '127.0.0.1';
gateway.startPort = startPort;
gateway.registerAddress = registerAddress;
gateway.secretKey = secretKey;
// Browsers send an update at least every second; one silent through two
// checks (60 s) is gone (a closed laptop) and is dropped from the pond.
gateway.pingInterval = 30;
gateway.pingNotResponseLimit = 2;
// A pond message is a few hundred bytes; a bigger one closes its sender (1009).
gateway.onConnect = (connection) => {
  connection.maxPackageSize = maxMessageBytes;
};

const business = new BusinessWorker();
business.name = 'TadpoleBusinessWorker';
business.count = 2;
business.registerAddress = registerAddress;
business.secretKey = secretKey;
business.eventHandler = createTadpoleEvents({
  ...DEFAULT_LIMITS,
  updatesPerSecond: wholeNumber('UPDATES_PER_SECOND', DEFAULT_LIMITS.updatesPerSecond, 1),
  messagesPerSecond: wholeNumber('MESSAGES_PER_SECOND', DEFAULT_LIMITS.messagesPerSecond, 1),
});

// The page, and where its WebSocket goes (the gateway's port may be moved).
const files = new StaticFiles(fileURLToPath(new URL('web/', import.meta.url)));
const web = new Worker(`http://${host}:${webPort}`);
web.name = 'TadpoleWeb';
web.onWorkerStart = () => {
  console.log(`open http://127.0.0.1:${webPort}`);
};
web.onMessage = async (connection, request) => {
  if (request.path() === '/config.json') {
    const config = JSON.stringify({ gatewayPort });
    connection.send(new Response(200, { 'Content-Type': 'application/json' }, config));
    return;
  }
  if (await files.serve(connection, request)) return;
  connection.send(new Response(404, { 'Content-Type': 'text/plain' }, 'not found'));
};

Worker.runAll();
