// bench/process-footprint.ts: a process that only imports the built package
// (dist/) and idles, to show what the import alone costs.
await import('../../dist/index.js');
setInterval(() => {}, 1 << 30);
process.stdout.write('ready\n');
