import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listenWorker } from '../helpers/listen.js';
import { TestClient } from '../helpers/test-client.js';

test('a text worker answers each line and strips \\r\\n', async (t) => {
  const worker = await listenWorker(t, 'text://127.0.0.1:0', (w) => {
    w.onMessage = (connection, data) => {
      connection.send(`echo:${data}`);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('one\ntwo\r\nthr');
  assert.equal(await client.readLine(), 'echo:one');
  assert.equal(await client.readLine(), 'echo:two');
  client.write('ee\n');
  assert.equal(await client.readLine(), 'echo:three');
});

test('telnet:// is the text codec under the name the manual uses', async (t) => {
  const worker = await listenWorker(t, 'telnet://127.0.0.1:0', (w) => {
    w.onMessage = (connection, line) => {
      connection.send(`echo:${line.toUpperCase()}`);
    };
  });
  const client = await TestClient.connect(worker.port);
  t.after(() => client.destroy());
  client.write('hi\r\n');
  assert.equal(await client.readLine(), 'echo:HI');
});
