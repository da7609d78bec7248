// Only the gateway part of the cluster (see start.ts for all of them on one machine).
import { Worker } from '../../src/index.js';
import './gateway.js';

Worker.runAll();
