// Builds the package as it ships (tsconfig.build.json), installs it into a
// temporary node_modules, and compiles and runs a consumer that imports it by
// name: the published entry point, its declarations and its ESM output.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = join(root, 'node_modules', '.bin', 'tsc');

const consumer = `
import {
  AsyncTcpConnection, AsyncUdpConnection, Protocols, TcpConnection, Timer, UdpConnection, Worker,
} from 'workerman-ts';

const worker = new Worker('text://127.0.0.1:0');
worker.onMessage = (connection, line) => {
  const typed: string = line; // text:// decodes to string in the published types
  connection.send(typed.toUpperCase());
};
await worker.listen();
const client = new AsyncTcpConnection(\`text://127.0.0.1:\${worker.port}\`);
client.onMessage = async (connection, line) => {
  console.log(line);
  connection.close();
  await worker.stop();
  Timer.delAll();
};
client.connect();
client.send('consumer ok');
console.log([TcpConnection, UdpConnection, AsyncUdpConnection, Protocols.register].map((x) => typeof x).join(','));
`;

test('a compiled TypeScript consumer imports the built package by name and runs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'workerman-consumer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const installed = join(dir, 'node_modules', 'workerman-ts');
  mkdirSync(installed, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(installed, 'package.json'));
  execFileSync(
    tsc,
    ['-p', join(root, 'tsconfig.build.json'), '--outDir', join(installed, 'dist')],
    {
      stdio: 'pipe',
    },
  );

  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(join(dir, 'consumer.ts'), consumer);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        types: ['node'],
        typeRoots: [join(root, 'node_modules', '@types')],
      },
      files: ['consumer.ts'],
    }),
  );
  execFileSync(tsc, ['-p', join(dir, 'tsconfig.json')], { stdio: 'pipe' });
  const output = execFileSync(process.execPath, [join(dir, 'consumer.js')], {
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.deepEqual(output.trim().split('\n'), [
    'function,function,function,function',
    'CONSUMER OK',
  ]);
});
