// The workerman-ts side of bench/process-sharing.ts: a text echo worker
// run by our process manager (`start -d`), COUNT children, pid file from PIDFILE.
import { Worker } from '../../src/index.js';

Worker.pidFile = process.env.PIDFILE ?? '/tmp/workerman-bench-managed.pid';
Worker.logFile = Worker.pidFile.replace(/\.pid$/, '.log');
const echo = new Worker(`text://127.0.0.1:${process.env.PORT ?? 0}`);
echo.name = 'echo';
echo.count = Number(process.env.COUNT ?? 2);
echo.onMessage = (connection, line) => {
  connection.send(line);
};
Worker.runAll();
