// Preloaded (--require, through NODE_OPTIONS) into every process that
// bench/process-footprint.ts measures: on SIGWINCH, which none of them uses,
// it writes the Node builtin modules the process has loaded so far to
// $FOOTPRINT_DIR/builtins-<pid>.json. The bench sends the signal after it has
// read the process's memory, so the report costs nothing that is measured.
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

process.on('SIGWINCH', () => {
  const builtins = process.moduleLoadList
    .filter((entry) => entry.startsWith('NativeModule '))
    .map((entry) => entry.slice('NativeModule '.length));
  writeFileSync(
    join(process.env.FOOTPRINT_DIR ?? '.', `builtins-${process.pid}.json`),
    JSON.stringify(builtins),
  );
});
