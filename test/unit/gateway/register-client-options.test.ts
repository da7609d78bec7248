import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ErrorCodes, RegisterClient, type RegisterClientOptions } from '../../../src/index.js';

const refused = (options: RegisterClientOptions, reason: RegExp) =>
  assert.throws(() => new RegisterClient(options), {
    code: ErrorCodes.INVALID_OPTION,
    message: reason,
  });

test('RegisterClient refuses options it cannot run with, naming each problem', async () => {
  const base = { registerAddress: '127.0.0.1:1236', secretKey: '', role: 'worker' } as const;
  refused({ ...base, registerAddress: [] }, /at least one register/);
  refused(
    { ...base, registerAddress: 'ws://127.0.0.1:1236' },
    /not host:port or text:\/\/host:port/,
  );
  refused({ ...base, registerAddress: '127.0.0.1' }, /not host:port/);
  refused({ ...base, role: 'gateway' }, /role gateway needs announce/);
  refused({ ...base, announce: '127.0.0.1:2900' }, /announce is for role gateway only/);
  refused(
    { ...base, reconnectDelay: 0, pingInterval: -1 },
    /reconnectDelay must be seconds > 0.*pingInterval must be seconds >= 0/,
  );
  refused(
    { ...base, reconnectDelay: 5, maxReconnectDelay: 2 },
    /maxReconnectDelay must be >= reconnectDelay/,
  );
  refused({ ...base, maxPackageSize: 100 }, /maxPackageSize/);
  // Accepted: both spellings, a list, ping off; nothing connects before start().
  const ok = new RegisterClient({
    ...base,
    registerAddress: ['text://127.0.0.1:1236', '10.0.0.2:1236'],
    pingInterval: 0,
  });
  assert.deepEqual(ok.addresses, []);
  const gateway = new RegisterClient({ ...base, role: 'gateway', announce: '[::1]:2900' });
  await Promise.all([ok.stop(), gateway.stop()]);
});
