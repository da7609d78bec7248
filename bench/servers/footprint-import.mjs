// bench/process-footprint.ts: a process that only imports the built package
// (dist/, or the build PACKAGE_URL names) and idles, to show what the import
// alone costs.
await import(process.env.PACKAGE_URL ?? '../../dist/index.js');
setInterval(() => {}, 1 << 30);
process.stdout.write('ready\n');
