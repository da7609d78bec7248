// The workerman-ts side of bench/reload-http.ts: an http:// worker run by our
// process manager (`start -d`), COUNT children, pid file from PIDFILE. It
// answers with its pid and the path; /slow/… answers 15 ms later, so a
// reload finds requests with the app.
import { Worker } from '../../src/index.js';

Worker.pidFile = process.env.PIDFILE ?? '/tmp/workerman-bench-managed-http.pid';
Worker.logFile = Worker.pidFile.replace(/\.pid$/, '.log');
Worker.stopTimeout = 3;
const web = new Worker(`http://127.0.0.1:${process.env.PORT ?? 0}`);
web.name = 'web';
web.count = Number(process.env.COUNT ?? 2);
web.onMessage = (connection, request) => {
  const body = `${process.pid} ${request.path()}`;
  if (request.path().startsWith('/slow/')) setTimeout(() => connection.send(body), 15);
  else connection.send(body);
};
Worker.runAll();
