// Every example is started as a user would start it, and talked to
// (examples/chat in examples/chat.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, runStartFile } from '../helpers/start-file.js';
import { TestClient } from '../helpers/test-client.js';

const example = (path: string) => fileURLToPath(new URL(`../../examples/${path}`, import.meta.url));

test("examples/protocols answers on each of the manual's three protocols", async (t) => {
  const ports = [await freePort(), await freePort(), await freePort()];
  const app = runStartFile(t, example('protocols/start.ts'), { PORTS: ports.join(',') });
  await app.waitForLine(/Start success/);
  const [jsonPort, xmlPort, jsonIntPort] = ports as [number, number, number];

  const json = await TestClient.connect(jsonPort);
  t.after(() => json.destroy());
  json.write('{"type":"message","content":"hello"}\n');
  assert.deepEqual(JSON.parse(await json.readLine()), {
    received: { type: 'message', content: 'hello' },
  });

  const xml = await TestClient.connect(xmlPort);
  t.after(() => xml.destroy());
  const body = '<request><module>user</module></request>';
  xml.write(String(body.length + 10).padStart(10, '0') + body);
  const header = (await xml.readBytes(10)).toString();
  assert.equal(
    (await xml.readBytes(Number(header) - 10)).toString(),
    `<response>${body.length}</response>`,
  );

  const jsonInt = await TestClient.connect(jsonIntPort);
  t.after(() => jsonInt.destroy());
  const payload = Buffer.from('{"type":"message","content":"hello all"}');
  const packet = Buffer.alloc(4 + payload.length);
  packet.writeUInt32BE(packet.length, 0);
  payload.copy(packet, 4);
  jsonInt.write(packet);
  const length = (await jsonInt.readBytes(4)).readUInt32BE(0);
  assert.deepEqual(JSON.parse((await jsonInt.readBytes(length - 4)).toString()), {
    received: { type: 'message', content: 'hello all' },
  });
});
