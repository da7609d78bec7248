// Memory per idle connection: a server process holds N idle connections
// opened by a client process (from several loopback source addresses, so
// the number is not bounded by one address's ports), and its PSS and JS
// heap are read before and after. Compares our text:// worker with a plain
// node:net server that only keeps the sockets.
//
//   node --import tsx bench/idle-memory.ts [connections]
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startScript, stop, totalMemory } from './lib/processes.js';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const connections = Number(process.argv[2] ?? 10_000);

async function measure(server: string): Promise<{ pss: number; heap: number }> {
  const { child, ready } = await startScript<{ port: number }>(server);
  const pid = child.pid as number;
  const heapOf = () =>
    new Promise<number>((resolve) => {
      child.once('message', (m: { heap: number }) => resolve(m.heap));
      child.send('heap');
    });
  try {
    const heapBefore = await heapOf();
    const pssBefore = totalMemory([pid]).pss;
    const load = fork(here('./lib/idle-clients.ts'), [String(ready.port), String(connections)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    await new Promise((resolve) => load.once('message', resolve));
    const heap = (await heapOf()) - heapBefore;
    const pss = totalMemory([pid]).pss - pssBefore;
    await stop(load);
    return { pss: pss / connections, heap: heap / connections };
  } finally {
    await stop(child);
  }
}

console.log(`${connections} idle connections, Node ${process.version}`);
console.log('| server | PSS per connection | JS heap per connection |');
console.log('|---|---|---|');
for (const [name, script] of [
  ['workerman-ts text://', here('./servers/idle-workerman.ts')],
  ['node:net', here('./servers/idle-net.ts')],
] as const) {
  const { pss, heap } = await measure(script);
  console.log(`| ${name} | ${(pss / 1024).toFixed(2)} KiB | ${(heap / 1024).toFixed(2)} KiB |`);
}
