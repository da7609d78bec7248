// Everything on one machine: `node --import tsx examples/gateway-split/start.ts start`.
// On several machines, run only the parts each one hosts:
//   start-register.ts, start-gateway.ts, start-business.ts
import { Worker } from '../../src/index.js';
import './register.js';
import './gateway.js';
import './business.js';

Worker.runAll();
