// Preloaded (--require, through NODE_OPTIONS) into every process that
// bench/process-footprint.ts measures: on SIGWINCH, which none of them uses,
// it writes the Node builtin modules the process has loaded so far and its
// V8 heap figures to $FOOTPRINT_DIR/report-<pid>.json. The bench sends the
// signal once it has read the process's memory, so what the report itself
// loads (node:v8) is not measured; the listener is in every process alike.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

process.on('SIGWINCH', () => {
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  const spaces = {};
  for (const space of require('node:v8').getHeapSpaceStatistics()) {
    spaces[space.space_name] = { size: space.space_size, used: space.space_used_size };
  }
  writeFileSync(
    join(process.env.FOOTPRINT_DIR ?? '.', `report-${process.pid}.json`),
    JSON.stringify({ builtins, spaces }),
  );
});
