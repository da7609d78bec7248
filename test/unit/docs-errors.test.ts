import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ErrorCodes } from '../../src/errors.js';

// docs/errors.md is where a user looks up a code they got; a code added to
// src/errors.ts without its row there would send them nowhere.
test('docs/errors.md has a row for every WM_ERR_* code, and no row for a code that does not exist', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Set([...doc.matchAll(/^\| `(WM_ERR_[A-Z_]+)` \|/gm)].map((match) => match[1]));
  const codes = new Set<string>(Object.values(ErrorCodes));
  assert.deepEqual(
    [...codes].filter((code) => !rows.has(code)),
    [],
    'codes without a row in docs/errors.md',
  );
  assert.deepEqual(
    [...rows].filter((code) => !codes.has(code as string)),
    [],
    'rows in docs/errors.md for codes src/errors.ts does not have',
  );
});
