// Lists the failed tests of a TAP log again, compactly: name, place and the
// start of the error. The test command runs it after a failed run: Node's TAP
// reporter gives a failure's details where the test ran, hundreds of lines
// before the summary, and a CI page that keeps only the end of the output
// would otherwise show the count of failures and not which ones.
//
// Usage: node scripts/tap-failures.mjs <tap log>
import { readFileSync } from 'node:fs';

/** Lines of an error message shown per failure. */
const ERROR_LINES = 6;

const lines = readFileSync(process.argv[2] ?? 0, 'utf8').split('\n');

/** The YAML block after line `at` (between `---` and `...`), as key → lines. */
function diagnostics(at, indent) {
  const fields = new Map();
  if (lines[at + 1]?.trim() !== '---') return fields;
  let key = '';
  for (let i = at + 2; i < lines.length && lines[i] !== `${indent}  ...`; i++) {
    const line = lines[i].slice(indent.length + 2);
    const field = /^([A-Za-z]+): ?(.*)$/.exec(line);
    if (field !== null) {
      key = field[1];
      fields.set(key, field[2] === '|-' ? [] : [field[2]]);
    } else if (key !== '') {
      fields.get(key).push(line.trim());
    }
  }
  return fields;
}

const failures = [];
for (let i = 0; i < lines.length; i++) {
  const failed = /^(\s*)not ok \d+ - (.*)$/.exec(lines[i]);
  if (failed !== null) failures.push({ indent: failed[1], name: failed[2], at: i });
}

console.log(`# failed: ${failures.length} (tests, and the suites and tests around them)`);
for (const { indent, name, at } of failures) {
  const fields = diagnostics(at, indent);
  const pad = `# ${'  '.repeat(indent.length / 4)}`;
  const location = (fields.get('location') ?? [''])[0].replace(/^'|'$/g, '');
  console.log(`${pad}not ok - ${name}${location === '' ? '' : `  (${location})`}`);
  // A test that failed only because a subtest did says no more than that.
  if ((fields.get('failureType') ?? [])[0] === "'subtestsFailed'") continue;
  const error = (fields.get('error') ?? []).filter((line) => line !== '');
  for (const line of error.slice(0, ERROR_LINES)) console.log(`${pad}    ${line}`);
  if (error.length > ERROR_LINES)
    console.log(`${pad}    … (the whole error is where the test ran)`);
}
