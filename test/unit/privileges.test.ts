import assert from 'node:assert/strict';
import { test } from 'node:test';
import { privilegeWarnings } from '../../src/process/privileges.js';

test('user/group settings warn when the master is not root, and a group without a user always', () => {
  const workers = [
    { name: 'web', user: 'www-data', group: '' },
    { name: 'plain', user: '', group: '' },
    { name: 'grouped', user: '', group: 'staff' },
  ];
  assert.deepEqual(privilegeWarnings(workers, 0), [
    'worker "grouped": group "staff" ignored without a user',
  ]);
  assert.deepEqual(privilegeWarnings(workers, 1000), [
    'worker "web": user/group ignored, only root can switch users (the master runs as uid 1000)',
    'worker "grouped": user/group ignored, only root can switch users (the master runs as uid 1000)',
  ]);
});
