import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { test } from 'node:test';
import WebSocket from 'ws';
import { upgradeToWebSocket, Websocket } from '../../../src/index.js';
import { listenWorker } from '../../helpers/listen.js';

test('an http:// worker upgrades a request to WebSocket on the same port; plain requests still get HTTP', async (t) => {
  const paths: string[] = [];
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = (_connection, request) => {
      paths.push(request.path());
    };
    w.onMessage = (connection, request) => {
      if (request.header('upgrade')?.toLowerCase() === 'websocket') {
        upgradeToWebSocket(connection, request).onMessage = (ws, data) => {
          ws.send(typeof data === 'string' ? `ws echo: ${data}` : data);
        };
      } else {
        connection.send(`plain http ${request.path()}`);
      }
    };
  });
  const body = await new Promise<string>((resolve, reject) => {
    httpRequest({ port: worker.port, host: '127.0.0.1', path: '/page' }, (response) => {
      let text = '';
      response.on('data', (chunk) => {
        text += chunk;
      });
      response.on('end', () => resolve(text));
    })
      .on('error', reject)
      .end();
  });
  assert.equal(body, 'plain http /page');

  const client = new WebSocket(`ws://127.0.0.1:${worker.port}/live?x=1`);
  t.after(() => client.terminate());
  await once(client, 'open');
  client.send('hello');
  const [reply] = (await once(client, 'message')) as [Buffer];
  assert.equal(reply.toString(), 'ws echo: hello');
  client.send(Buffer.from([1, 2, 3]));
  const [binary, isBinary] = (await once(client, 'message')) as [Buffer, boolean];
  assert.deepEqual([binary, isBinary], [Buffer.from([1, 2, 3]), true]);
  const closed = once(client, 'close');
  client.close(1000);
  assert.equal((await closed)[0], 1000);
  assert.deepEqual(paths, ['/live']);
});

test('an upgraded request whose onWebSocketConnect never settles gets a 503 at handshakeTimeout', {
  timeout: 60_000,
}, async (t) => {
  const saved = Websocket.options.handshakeTimeout;
  Websocket.options.handshakeTimeout = 0.2;
  t.after(() => {
    Websocket.options.handshakeTimeout = saved;
  });
  const worker = await listenWorker(t, 'http://127.0.0.1:0', (w) => {
    w.onWebSocketConnect = () => new Promise<void>(() => {});
    w.onMessage = (connection, request) => {
      upgradeToWebSocket(connection, request);
    };
  });
  const client = new WebSocket(`ws://127.0.0.1:${worker.port}/`);
  client.on('error', () => {});
  t.after(() => client.terminate());
  const [, response] = (await once(client, 'unexpected-response')) as [
    unknown,
    { statusCode: number },
  ];
  assert.equal(response.statusCode, 503);
});
