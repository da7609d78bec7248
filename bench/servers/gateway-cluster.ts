// Our side of bench/gateway.ts, a start file run with the CLI
// (`node --import tsx gateway-cluster.ts start`): a register, a websocket://
// gateway with 2 processes and 2 business workers. A client message that
// starts with "a" goes to every client (`Gateway.sendToAll`); any other goes
// back to its sender (`client.send`, i.e. `Gateway.sendToClient`).
import { BusinessWorker, Gateway, Register, TcpConnection, Worker } from '../../src/index.js';

const env = process.env;
// DIRECT=0: every write through Node's stream (before/after comparisons).
if (env.DIRECT === '0') TcpConnection.directWrites = false;
const secretKey = 'bench-cluster-secret';
const registerAddress = `127.0.0.1:${env.REGISTER_PORT}`;

new Register(`text://${registerAddress}`).secretKey = secretKey;

const gateway = new Gateway(`websocket://127.0.0.1:${env.GATEWAY_PORT}`);
gateway.count = 2;
gateway.startPort = 0;
gateway.registerAddress = registerAddress;
gateway.secretKey = secretKey;
// GATEWAY_EXEC_ARGV="--max-semi-space-size=1": Node flags for the gateway
// processes only (GATEWAY_BUSINESS_EXEC_ARGV: for the business workers).
// WRITE_BATCH_RATIO=0: every poll's commands at once (before/after comparisons).
if (env.WRITE_BATCH_RATIO) gateway.writeBatchRatio = Number(env.WRITE_BATCH_RATIO);
gateway.execArgv = env.GATEWAY_EXEC_ARGV?.split(' ').filter(Boolean) ?? [];

const business = new BusinessWorker();
business.count = 2;
business.registerAddress = registerAddress;
business.secretKey = secretKey;
business.execArgv = env.GATEWAY_BUSINESS_EXEC_ARGV?.split(' ').filter(Boolean) ?? [];
business.eventHandler = {
  onMessage(client, message) {
    const text = message as string;
    return text.charCodeAt(0) === 0x61 ? Gateway.sendToAll(text) : client.send(text);
  },
};

Worker.stopTimeout = 0;
Worker.runAll();
