// Only the business part of the cluster (see start.ts for all of them on one machine).
import { Worker } from '../../src/index.js';
import './business.js';

Worker.runAll();
