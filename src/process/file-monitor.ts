import type { FSWatcher } from 'node:fs';

const { watch } = process.getBuiltinModule('node:fs');
const { extname } = process.getBuiltinModule('node:path');

// Source files only: the log, pid and socket files may live in the same tree.
const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json']);
// An editor's save is often several events (write, rename, chmod): one reload.
const SETTLE_MS = 200;

/**
 * Development aid: watches `dirs` (recursively, through the OS's change
 * notification, never a polling loop) and calls `onChange` once a source
 * file has changed and the burst of events has settled. Returns a function
 * that stops watching.
 */
export function monitorFiles(
  dirs: readonly string[],
  onChange: (file: string) => void,
): () => void {
  let timer: NodeJS.Timeout | null = null;
  let changed = '';
  const watchers: FSWatcher[] = dirs.map((dir) =>
    watch(dir, { recursive: true }, (_event, file) => {
      if (file === null || !SOURCE_EXTENSIONS.has(extname(file)) || file.includes('node_modules'))
        return;
      changed = file;
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        onChange(changed);
      }, SETTLE_MS);
    }),
  );
  for (const watcher of watchers) watcher.on('error', () => {});
  return () => {
    if (timer) clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
