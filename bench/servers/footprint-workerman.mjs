// The workerman-ts side of bench/process-footprint.ts: the built package
// (dist/, or the build PACKAGE_URL names), a text:// echo run by our process
// manager with COUNT children. Plain JavaScript, so no TypeScript loader
// sits in any measured process.
const { Worker } = await import(process.env.PACKAGE_URL ?? '../../dist/index.js');

Worker.pidFile = process.env.PIDFILE ?? '';
Worker.logFile = process.env.LOGFILE ?? '';
Worker.stdoutFile = process.env.STDOUTFILE ?? '/dev/null';
const echo = new Worker(`text://127.0.0.1:${process.env.PORT ?? 0}`);
echo.name = 'echo';
echo.count = Number(process.env.COUNT ?? 2);
echo.execArgv = (process.env.CHILD_FLAGS ?? '').split(' ').filter(Boolean);
echo.onMessage = (connection, line) => {
  connection.send(line);
};
Worker.runAll();
