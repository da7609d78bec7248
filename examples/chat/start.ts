// The chat of the manual, on embedded defaults: one start file runs the
// register, the WebSocket gateways, the business workers and the web server.
//
//   node --import tsx examples/chat/start.ts start     (npm run example)
//   open http://127.0.0.1:55151 in two browsers
//
// Ports from the environment: REGISTER_PORT (1236), GATEWAY_PORT (7272),
// WEB_PORT (55151), START_PORT (2000: the gateways' inner ports, one per
// process; 0 takes free ones). CHAT_SECRET: the cluster's shared secret;
// PING_INTERVAL: seconds between heartbeats (25).
import cluster from 'node:cluster';
import { fileURLToPath } from 'node:url';
import {
  BusinessWorker,
  Gateway,
  Register,
  Response,
  StaticFiles,
  Worker,
} from '../../src/index.js';
import { chatEvents } from './events.js';
import { MAX_MESSAGE_BYTES } from './messages.js';

const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const registerPort = port('REGISTER_PORT', 1236);
const gatewayPort = port('GATEWAY_PORT', 7272);
const webPort = port('WEB_PORT', 55151);
const registerAddress = `127.0.0.1:${registerPort}`;
const secretKey = env.CHAT_SECRET ?? '';

// Where gateways and business workers find each other; on loopback only.
const register = new Register(`text://${registerAddress}`);
register.secretKey = secretKey;

// The browsers' WebSockets, as in the manual's packet capture.
const gateway = new Gateway(`websocket://0.0.0.0:${gatewayPort}`);
gateway.name = 'ChatGateway';
gateway.count = 2;
gateway.lanIp = '127.0.0.1';
gateway.startPort = port('START_PORT', 2000);
gateway.registerAddress = registerAddress;
gateway.secretKey = secretKey;
// Every 25 s a ping, which the page answers; a client silent for two checks is closed.
gateway.pingInterval = Number(env.PING_INTERVAL ?? 25);
gateway.pingNotResponseLimit = 2;
gateway.pingData = '{"type":"ping"}';
gateway.onConnect = (connection) => {
  // A browser's message past this closes its socket (1009) before it is buffered.
  connection.maxPackageSize = MAX_MESSAGE_BYTES;
};

const business = new BusinessWorker();
business.name = 'ChatBusinessWorker';
business.count = 2;
business.registerAddress = registerAddress;
business.secretKey = secretKey;
business.eventHandler = chatEvents;

// The page, its script and style, and where the page finds the gateway.
const files = new StaticFiles(fileURLToPath(new URL('./web/', import.meta.url)));
const web = new Worker(`http://0.0.0.0:${webPort}`);
web.name = 'ChatWeb';
web.count = 1;
web.onMessage = async (connection, request) => {
  if (request.path() === '/config.json') {
    connection.send(
      new Response(
        200,
        { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
        JSON.stringify({ gatewayPort }),
      ),
    );
    return;
  }
  if (await files.serve(connection, request)) return;
  connection.send(new Response(404, { 'Content-Type': 'text/plain' }, 'not found\n'));
};

await Worker.runAll();
// Only the master gets here with everything started (a child returns once
// its own worker runs; the other verbs exit inside runAll).
if (cluster.isPrimary) process.stdout.write(`open http://127.0.0.1:${webPort}\n`);
