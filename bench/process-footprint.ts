// The memory of idle processes: our process manager (the built package, a
// text:// echo with 2 children, started as a daemon) beside a plain
// node:cluster of 2 with a node:net echo, a bare `node -e` process, and a
// process that only imports the package. The two servers are measured again
// as whole trees with 1,000 connections open (each has echoed one line),
// held by this script, so what the servers spend per connection shows. For each process: RSS, PSS
// (shared pages divided among the processes sharing them) and anonymous
// memory (heap, stacks, JIT code: what is the process's own), read from
// /proc/<pid>/smaps_rollup after the processes have idled a while; then,
// from a script preloaded into each (lib/footprint-report.cjs, asked by
// SIGWINCH once the memory is read), its V8 heap (bytes in use, and the
// size of the young generation, which V8 grows while a program starts) and
// the Node builtin modules it has loaded (process.moduleLoadList). Each setup runs
// alone, one after the other; each server answers one echo before it stops.
//
//   npm run build
//   node --import tsx bench/process-footprint.ts [settle seconds] ["child node flags"]
//
// PACKAGE=<path to another build's index.js> measures that build instead of
// dist/ (e.g. an older commit's, to compare). The child flags (e.g. "--max-semi-space-size=1") go to our children
// through Worker.execArgv and to the node:cluster workers through
// cluster.setupPrimary, never to a master or primary.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { processMemory, processTree } from './lib/processes.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const settleSeconds = Number(process.argv[2] ?? 3);
const childFlags = process.argv[3] ?? '';
const COUNT = 2;

const packageEntry = resolve(process.env.PACKAGE ?? here('../dist/index.js'));
if (!existsSync(packageEntry)) {
  console.error(`${packageEntry} is missing: run \`npm run build\` first`);
  process.exit(1);
}

const dir = mkdtempSync(join(tmpdir(), 'wm-footprint-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  NODE_OPTIONS: `--require ${here('./lib/footprint-report.cjs')}`,
  FOOTPRINT_DIR: dir,
  PACKAGE_URL: pathToFileURL(packageEntry).href,
  COUNT: String(COUNT),
  CHILD_FLAGS: childFlags,
};

const CONNECTIONS = 1000;

interface Tree {
  setup: string;
  idle: { rss: number; pss: number };
  connected: { rss: number; pss: number };
}
const trees: Tree[] = [];

interface Row {
  setup: string;
  role: string;
  pid: number;
  rss: number;
  pss: number;
  anonymous: number;
  report: Report;
}

interface Report {
  builtins: string[];
  spaces: Record<string, { size: number; used: number }>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once the process prints `ready`. */
function startPrinter(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('ready\n')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

function run(args: string[], extraEnv: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env: { ...env, ...extraEnv } }, (error, _out, stderr) =>
      error ? reject(new Error(`${args.join(' ')}: ${stderr || error.message}`)) : resolve(),
    );
  });
}

async function reportOf(pid: number): Promise<Report> {
  const file = join(dir, `report-${pid}.json`);
  process.kill(pid, 'SIGWINCH');
  for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(50);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Report;
  } catch {
    return { builtins: [], spaces: {} };
  }
}

/** Memory first, then the report (which would otherwise be measured). */
async function measure(setup: string, roles: [string, number][]): Promise<Row[]> {
  await sleep(settleSeconds * 1000);
  const rows = roles.map(([role, pid]) => ({ setup, role, pid, ...processMemory(pid) }));
  return Promise.all(rows.map(async (row) => ({ ...row, report: await reportOf(row.pid) })));
}

/** One line through the server and back: the processes measured are working servers. */
function echoOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(port, '127.0.0.1', () => socket.write('ping\n'));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
      if (answer === 'ping\n') {
        socket.destroy();
        resolve();
      }
    });
    socket.on('error', reject);
    socket.setTimeout(10_000, () => reject(new Error(`no echo on port ${port}`)));
  });
}

/** Opens `count` connections that have each echoed one line; returns them for closing. */
async function openConnections(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Array.from(
      { length: Math.min(100, count - i) },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = createConnection(port, '127.0.0.1', () => socket.write('ping\n'));
          socket.once('data', () => resolve(socket));
          socket.once('error', reject);
        }),
    );
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

/** The tree's memory idle (from `rows`), then with CONNECTIONS connections open. */
async function measureTree(setup: string, port: number, pids: number[], rows: Row[]) {
  const sum = (list: { rss: number; pss: number }[]) => ({
    rss: list.reduce((total, row) => total + row.rss, 0),
    pss: list.reduce((total, row) => total + row.pss, 0),
  });
  const sockets = await openConnections(port, CONNECTIONS);
  try {
    await sleep(settleSeconds * 1000);
    trees.push({ setup, idle: sum(rows), connected: sum(pids.map(processMemory)) });
  } finally {
    for (const socket of sockets) socket.destroy();
  }
}

function killTree(pids: readonly number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}

function children(pid: number): number[] {
  return processTree(pid)
    .slice(1)
    .sort((a, b) => a - b);
}

async function bareNode(): Promise<Row[]> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], {
    env,
    stdio: 'ignore',
  });
  try {
    return await measure('node -e', [['process', child.pid as number]]);
  } finally {
    killTree([child.pid as number]);
  }
}

async function importOnly(): Promise<Row[]> {
  const child = await startPrinter([here('./servers/footprint-import.mjs')]);
  try {
    return await measure('import of the package', [['process', child.pid as number]]);
  } finally {
    killTree([child.pid as number]);
  }
}

async function plainCluster(): Promise<Row[]> {
  const port = await freePort();
  const primary = await startPrinter([here('./servers/footprint-cluster.mjs')], {
    PORT: String(port),
  });
  const pid = primary.pid as number;
  const workers = children(pid);
  try {
    const rows = await measure('node:cluster, net echo', [
      ['primary', pid],
      ...workers.map((worker, i): [string, number] => [`worker ${i}`, worker]),
    ]);
    await echoOnce(port);
    await measureTree('node:cluster, net echo', port, [pid, ...workers], rows);
    return rows;
  } finally {
    killTree([pid, ...workers]);
  }
}

async function workerman(): Promise<Row[]> {
  const port = await freePort();
  const app = here('./servers/footprint-workerman.mjs');
  const files = {
    PORT: String(port),
    PIDFILE: join(dir, 'app.pid'),
    LOGFILE: join(dir, 'app.log'),
    STDOUTFILE: join(dir, 'stdout.log'),
  };
  await run([app, 'start', '-d'], files);
  const master = Number.parseInt(readFileSync(files.PIDFILE, 'utf8'), 10);
  const workers = children(master);
  try {
    const rows = await measure('workerman-ts text://', [
      ['master', master],
      ...workers.map((worker, i): [string, number] => [`child ${i}`, worker]),
    ]);
    await echoOnce(port);
    await measureTree('workerman-ts text://', port, [master, ...workers], rows);
    await run([app, 'stop'], files);
    return rows;
  } finally {
    killTree([master, ...workers]);
  }
}

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

try {
  const rows: Row[] = [];
  for (const setup of [bareNode, importOnly, plainCluster, workerman])
    rows.push(...(await setup()));
  const bare = new Set(rows.find((row) => row.setup === 'node -e')?.report.builtins);
  console.log(
    `${packageEntry}: idle processes, ${settleSeconds} s after start, Node ${process.version}` +
      (childFlags ? `, children run with ${childFlags}` : ''),
  );
  console.log(
    '| setup | process | RSS MB | PSS MB | anonymous MB | V8 heap used MB | V8 young generation MB | builtins (beyond node -e) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const { setup, role, rss, pss, anonymous, report } of rows) {
    const spaces = Object.values(report.spaces);
    const used = spaces.reduce((sum, space) => sum + space.used, 0);
    const young = report.spaces.new_space?.size ?? 0;
    const extra = report.builtins.filter((name) => !bare.has(name)).length;
    console.log(
      `| ${setup} | ${role} | ${mb(rss)} | ${mb(pss)} | ${mb(anonymous)} | ${mb(used)} | ` +
        `${mb(young)} | ${report.builtins.length} (+${extra}) |`,
    );
  }
  console.log(
    `\nWhole trees (primary or master + ${COUNT}), idle and with ${CONNECTIONS} connections:`,
  );
  console.log(
    '| setup | RSS idle MB | PSS idle MB | RSS connected MB | PSS connected MB | PSS per connection KiB |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const { setup, idle, connected } of trees) {
    const perConnection = (connected.pss - idle.pss) / CONNECTIONS / 1024;
    console.log(
      `| ${setup} | ${mb(idle.rss)} | ${mb(idle.pss)} | ${mb(connected.rss)} | ` +
        `${mb(connected.pss)} | ${perConnection.toFixed(2)} |`,
    );
  }
  console.log('\nPublic builtins loaded beyond those of `node -e`:');
  for (const { setup, role, report } of rows) {
    const extra = report.builtins.filter(
      (name) => !bare.has(name) && !name.startsWith('internal/'),
    );
    if (setup !== 'node -e') console.log(`- ${setup}, ${role}: ${extra.join(' ')}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
