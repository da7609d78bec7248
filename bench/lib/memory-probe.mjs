// Loaded into a server process with `--import` (plain JavaScript, so it
// needs no loader: NODE_OPTIONS may carry it to every process of a cluster).
// On SIGWINCH the process writes what its memory is made of to
// `$MEMORY_PROBE_DIR/<pid>.json`: V8's heap spaces (used and committed),
// its totals, and `process.memoryUsage()` (RSS, external, array buffers).
// On SIGURG it settles first (V8's low-memory GC, below), then reports.
// Both signals are ignored by default, so a process without the probe is
// unaffected.
// The report is written to a temporary name and renamed: a reader never
// sees half of one.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

const dir = process.env.MEMORY_PROBE_DIR;

/**
 * V8's low-memory GC, as DevTools' "collect garbage" button does it
 * (`HeapProfiler.collectGarbage`, through an in-process inspector session:
 * no inspector server is opened): a full GC that also gives back the young
 * generation, compacts, and drops caches, as V8's memory reducer does in a
 * process that stays idle. `gc()` (`--expose-gc`) does not shrink the young
 * generation after a burst of allocation.
 */
let session = null;

function settleThenReport() {
  if (session === null) {
    // One session, kept: disconnecting it from its callback hangs.
    const { Session } = process.getBuiltinModule('node:inspector');
    session = new Session();
    session.connect();
  }
  // Posting from inside a session's callback hangs: each step waits a turn.
  session.post('HeapProfiler.collectGarbage', () =>
    setImmediate(() =>
      session.post('HeapProfiler.collectGarbage', () => setImmediate(() => report(true))),
    ),
  );
}

function report(collect) {
  const spaces = {};
  for (const space of getHeapSpaceStatistics()) {
    spaces[space.space_name] = {
      used: space.space_used_size,
      committed: space.space_size,
      physical: space.physical_space_size,
    };
  }
  const heap = getHeapStatistics();
  const body = JSON.stringify({
    pid: process.pid,
    gc: collect,
    at: Date.now(),
    memory: process.memoryUsage(),
    heap: {
      used: heap.used_heap_size,
      committed: heap.total_heap_size,
      physical: heap.total_physical_size,
      malloced: heap.malloced_memory,
      nativeContexts: heap.number_of_native_contexts,
    },
    spaces,
  });
  const path = join(dir, `${process.pid}.json`);
  writeFileSync(`${path}.tmp`, body);
  renameSync(`${path}.tmp`, path);
}

if (dir) {
  process.on('SIGWINCH', () => report(false));
  process.on('SIGURG', settleThenReport);
}
