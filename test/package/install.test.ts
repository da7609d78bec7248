// The package as a stranger gets it: a copy of the repository's files (what
// a fresh clone holds) is packed with `npm pack`, whose `prepare` step
// builds it; the tarball is linted (publint, attw) and installed offline into
// a new ES-module project and a new CommonJS one (`npm init -y`), each of
// which compiles an app with `tsc --strict` against the shipped types,
// imports every public name, and runs a server and a client.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as publicSurface from '../../src/index.js';
import { freePort } from '../helpers/start-file.js';
import { TestClient } from '../helpers/test-client.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string) => join(root, 'node_modules', '.bin', name);
// Each step has its own deadline; npm and tsc on a busy machine take seconds.
const STEP_TIMEOUT_MS = 120_000;

let work: string;
let tarball: string;

async function sh(command: string, args: string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(command, args, {
      cwd,
      timeout: STEP_TIMEOUT_MS,
      maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' },
    });
    return stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`, {
      cause: error,
    });
  }
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'workerman-package-'));
  // What a clone holds: tracked files and new ones not ignored; no dist/.
  const clone = join(work, 'clone');
  const files = (
    await sh('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root)
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    mkdirSync(join(clone, dirname(file)), { recursive: true });
    cpSync(join(root, file), join(clone, file), { force: true, errorOnExist: false });
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'));
  const packed = await sh('npm', ['pack', '--silent', '--pack-destination', work], clone);
  tarball = join(work, packed.trim().split('\n').pop() as string);
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every name `src/index.ts` exports: the values (from the module) and the types (from its text). */
function publicNames(): { values: string[]; types: string[] } {
  const values = Object.keys(publicSurface).sort();
  const source = readFileSync(join(root, 'src', 'index.ts'), 'utf8');
  const types: string[] = [];
  for (const block of source.matchAll(/export (type )?\{([^}]*)\}/g)) {
    for (const item of (block[2] as string).split(',')) {
      const name = item.trim();
      if (name === '') continue;
      if (block[1]) types.push(name);
      else if (name.startsWith('type ')) types.push(name.slice(5));
    }
  }
  return { values, types: types.sort() };
}

const SERVER_AND_CLIENT = `
  const worker = new Worker('text://127.0.0.1:0', { context: () => ({ lines: 0 }) });
  worker.onMessage = (connection, line) => {
    connection.context.lines++;
    connection.send(\`\${line.toUpperCase()} #\${connection.context.lines}\`);
  };
  await worker.listen();
  const client = new AsyncTcpConnection(\`text://127.0.0.1:\${worker.port}\`);
  const reply = await new Promise<string>((resolve) => {
    client.onMessage = (_connection, line) => resolve(line);
    client.connect();
    client.send('hello');
  });
  client.close();
  await worker.stop();
  Timer.delAll();
  console.log(reply);
`;

function app(kind: 'esm' | 'cjs', names: { values: string[]; types: string[] }): string {
  const body =
    kind === 'esm'
      ? SERVER_AND_CLIENT
      : `async function main() {${SERVER_AND_CLIENT}}\nvoid main();`;
  return [
    `import { ${names.values.join(', ')} } from 'workerman-ts';`,
    `import type { ${names.types.join(', ')} } from 'workerman-ts';`,
    `const values = [${names.values.join(', ')}];`,
    `console.log(values.filter((value) => value === undefined).length + ' missing of ' + values.length);`,
    body,
  ].join('\n');
}

/**
 * A start file for the installed package's process manager: a text echo in
 * two children, its pid and log files in `dir`.
 */
function startFile(kind: 'esm' | 'cjs', dir: string, port: number): string {
  return [
    kind === 'esm'
      ? "import { Worker } from 'workerman-ts';"
      : "const { Worker } = require('workerman-ts');",
    `Worker.pidFile = ${JSON.stringify(join(dir, 'app.pid'))};`,
    `Worker.logFile = ${JSON.stringify(join(dir, 'app.log'))};`,
    `Worker.stdoutFile = ${JSON.stringify(join(dir, 'stdout.log'))};`,
    `const echo = new Worker('text://127.0.0.1:${port}');`,
    'echo.count = 2;',
    'echo.onMessage = (connection, line) => connection.send(line.toUpperCase());',
    'Worker.runAll();',
  ].join('\n');
}

/** Kills what a failed run may have left: the daemon's whole process group. */
function killDaemon(pidFile: string): void {
  try {
    process.kill(-Number.parseInt(readFileSync(pidFile, 'utf8'), 10), 'SIGKILL');
  } catch {
    // No pid file, or nothing left to kill.
  }
}

// The checks only read the tarball; they run side by side.
describe('the packed package', { concurrency: true }, () => {
  test('the tarball holds the build and the sources its maps name, and no tests', async () => {
    const listing = (await sh('tar', ['-tzf', tarball], work))
      .split('\n')
      .filter(Boolean)
      .map((entry) => entry.replace(/^package\//, ''));
    const files = new Set(listing);
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'dist/index.js',
      'dist/index.d.ts',
    ]) {
      assert.ok(files.has(needed), `${needed} is in the tarball`);
    }
    assert.ok(!listing.some((file) => file.startsWith('test/')), 'no test files');
    const unpacked = join(work, 'unpacked');
    mkdirSync(unpacked);
    await sh('tar', ['-xzf', tarball, '-C', unpacked], work);
    const maps = listing.filter((file) => file.endsWith('.map'));
    assert.ok(maps.length > 0, 'the build ships source maps');
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(join(unpacked, 'package', map), 'utf8')) as {
        sources: string[];
      };
      for (const source of sources) {
        const shipped = posix.normalize(posix.join(posix.dirname(map), source));
        assert.ok(files.has(shipped), `${map} names ${shipped}, which the tarball holds`);
      }
    }
  });

  test('publint finds nothing to report', async () => {
    const output = await sh(bin('publint'), ['run', tarball, '--strict'], work);
    assert.match(output, /All good!/);
  });

  test('attw finds the types right for every resolution', async () => {
    // `require()` of this ES module needs Node 20.19+ (our `engines`); attw's
    // node16 mode models older Node, so that one finding is expected and left
    // out. TypeScript's `module: nodenext` (and `node20`) models it as we do.
    await sh(
      bin('attw'),
      [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii'],
      work,
    );
  });

  for (const kind of ['esm', 'cjs'] as const) {
    test(`a new ${kind === 'esm' ? 'ES-module' : 'CommonJS'} project installs the tarball, compiles strictly and runs`, async () => {
      const project = join(work, kind);
      mkdirSync(project);
      await sh('npm', ['init', '-y'], project);
      if (kind === 'esm') await sh('npm', ['pkg', 'set', 'type=module'], project);
      await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], project);
      const names = publicNames();
      writeFileSync(join(project, 'app.ts'), app(kind, names));
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            target: 'ES2022',
            module: 'nodenext',
            types: ['node'],
            typeRoots: [join(root, 'node_modules', '@types')],
            // Our declarations are checked once, in the ES-module project.
            skipLibCheck: kind === 'cjs',
          },
          files: ['app.ts'],
        }),
      );
      await sh(bin('tsc'), ['-p', 'tsconfig.json'], project);
      const compiled = readFileSync(join(project, 'app.js'), 'utf8');
      assert.equal(compiled.includes('require("workerman-ts")'), kind === 'cjs');
      // The command is installed too; with no arguments it prints its usage.
      const usage = await run(join(project, 'node_modules', '.bin', 'workerman-ts'), [], {
        cwd: project,
        timeout: STEP_TIMEOUT_MS,
      }).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(usage.code, 64);
      assert.match(usage.stderr, /Usage: workerman-ts <command> <start file>/);
      const output = await sh(process.execPath, ['app.js'], project);
      assert.deepEqual(output.trim().split('\n'), [
        `0 missing of ${names.values.length}`,
        'HELLO #1',
      ]);
      // The process manager from the package: the master forks its children
      // (each loading the start-failure reporter shipped beside the entry),
      // they answer, and `stop` ends them all.
      const port = await freePort();
      const start = join(project, kind === 'esm' ? 'start.mjs' : 'start.cjs');
      writeFileSync(start, startFile(kind, project, port));
      try {
        await sh(process.execPath, [start, 'start', '-d'], project);
        const client = await TestClient.connect(port);
        client.write('ping\n');
        assert.equal(await client.readLine(), 'PING');
        client.end();
        assert.match(await sh(process.execPath, [start, 'stop'], project), /stop success/);
      } finally {
        killDaemon(join(project, 'app.pid'));
      }
    });
  }
});
