import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CALLBACK_FAIL, ErrorCodes, setLogSink, statistics } from '../../src/index.js';
import { eventually, listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

test('a throwing or rejecting onMessage goes to onError and the connection goes on', async (t) => {
  const reported: string[] = [];
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = async (connection, line) => {
      if (line === 'throw') throw new Error('sync-ish failure');
      if (line === 'reject') {
        await Promise.resolve();
        throw new Error('async failure');
      }
      connection.send(`ok:${line}`);
    };
    w.onError = (_c, code, message, error) => {
      reported.push(`${code}:${error.code}:${message.includes('failure')}`);
    };
  });
  const thrownBefore = statistics.throwException;
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('throw\nreject\nstill here\n');
  assert.equal(await client.readLine(), 'ok:still here');
  await eventually(() => reported.length === 2, 'both failures reported');
  const expected = `${CALLBACK_FAIL}:${ErrorCodes.CALLBACK_FAILED}:true`;
  assert.deepEqual(reported, [expected, expected]);
  assert.equal(statistics.throwException, thrownBefore + 2);
});

test('without onError a failing callback is logged with its stack, and serving continues', async (t) => {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  t.after(() => setLogSink(previous));
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onConnect = () => {
      throw new TypeError('broken onConnect');
    };
    w.onMessage = (connection, line) => {
      connection.send(line);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('echo\n');
  assert.equal(await client.readLine(), 'echo');
  assert.equal(lines.length, 1);
  assert.match(
    lines[0] ?? '',
    /pid:\d+ onConnect failed on connection \d+ .*TypeError: broken onConnect/s,
  );
});

test('a failing onError is logged, not re-reported', async (t) => {
  const lines: string[] = [];
  const previous = setLogSink((line) => lines.push(line));
  t.after(() => setLogSink(previous));
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = () => {
      throw new Error('first');
    };
    w.onError = () => {
      throw new Error('second');
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('x\n');
  await eventually(() => lines.length === 1, 'the log line');
  assert.match(lines[0] ?? '', /onError failed: Error: second/);
});
