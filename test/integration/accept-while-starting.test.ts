import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from '../../src/index.js';
import { listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** Sets a Worker static for one test. */
function setForTest<K extends 'maxHeldConnections' | 'heldConnectionTimeout'>(
  t: { after(fn: () => void): void },
  key: K,
  value: number,
): void {
  const saved = Worker[key];
  Worker[key] = value;
  t.after(() => {
    Worker[key] = saved;
  });
}

test('run() listens only once onWorkerStart has finished: a starting process takes no connection', async (t) => {
  const starting = gate();
  const release = gate();
  const worker = new Worker('text://127.0.0.1:0');
  worker.onWorkerStart = async () => {
    starting.open();
    await release.opened;
  };
  worker.onMessage = (connection, line) => {
    connection.send(`echo:${line}`);
  };
  t.after(() => worker.stop());
  const running = worker.run();
  await starting.opened;
  assert.equal(worker.getListenAddress(), null, 'listening while onWorkerStart runs');
  release.open();
  await running;
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('hi\n');
  assert.equal(await client.readLine(), 'echo:hi');
});

test('onWorkerStart may listen itself (port 0): connections wait until it returns', async (t) => {
  const listening = gate();
  const release = gate();
  let started = false;
  const worker = new Worker('text://127.0.0.1:0');
  worker.onWorkerStart = async (w) => {
    await w.listen();
    listening.open();
    await release.opened;
    started = true;
  };
  worker.onMessage = (connection, line) => {
    connection.send(`${started ? 'started' : 'early'}:${line}`);
  };
  t.after(() => worker.stop());
  const running = worker.run();
  await listening.opened;
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('hi\n');
  release.open();
  await running;
  assert.equal(await client.readLine(), 'started:hi');
});

test('while accepting is paused, at most maxHeldConnections wait; one more is closed at once', {
  timeout: 30_000,
}, async (t) => {
  setForTest(t, 'maxHeldConnections', 2);
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection, line) => {
      connection.send(`echo:${line}`);
    };
  });
  worker.pauseAccept();
  // Connected one after the other: the kernel hands them over in this order.
  const first = await TestClient.connect(worker.port);
  const second = await TestClient.connect(worker.port);
  const third = await TestClient.connect(worker.port);
  t.after(() => {
    for (const client of [first, second, third]) client.destroy();
  });
  await third.closed();
  worker.resumeAccept();
  first.write('one\n');
  second.write('two\n');
  assert.equal(await first.readLine(), 'echo:one');
  assert.equal(await second.readLine(), 'echo:two');
});

test('a connection held longer than heldConnectionTimeout is closed; accepting resumes for new ones', {
  timeout: 30_000,
}, async (t) => {
  setForTest(t, 'heldConnectionTimeout', 0.2);
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection, line) => {
      connection.send(`echo:${line}`);
    };
  });
  worker.pauseAccept();
  const held = await TestClient.connect(worker.port);
  t.after(() => held.destroy());
  await held.closed();
  worker.resumeAccept();
  const later = await TestClient.connect(worker.port);
  t.after(() => later.destroy());
  later.write('late\n');
  assert.equal(await later.readLine(), 'echo:late');
  assert.equal(worker.connections.size, 1);
});
