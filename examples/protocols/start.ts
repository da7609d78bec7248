// The three custom protocols of the manual, each on its own port:
//   JsonNL://127.0.0.1:1234        JSON + newline
//   XmlProtocol://127.0.0.1:1235   10-digit length + XML
//   JsonInt://127.0.0.1:1236       4-byte length + JSON
// (PORTS=a,b,c picks other ports.)
// Each answers a message with what it received, wrapped.
import { Protocols, Worker } from '../../src/index.js';
import { JsonInt } from './json-int.js';
import { JsonNL } from './json-nl.js';
import { XmlProtocol } from './xml-protocol.js';

declare module '../../src/index.js' {
  interface SchemeTypes {
    JsonNL: { decoded: unknown; encodable: unknown };
    XmlProtocol: { decoded: string; encodable: string };
    JsonInt: { decoded: unknown; encodable: unknown };
  }
}

Protocols.register('JsonNL', JsonNL);
Protocols.register('XmlProtocol', XmlProtocol);
Protocols.register('JsonInt', JsonInt);

const [jsonPort, xmlPort, jsonIntPort] = (process.env.PORTS ?? '1234,1235,1236').split(',');

const json = new Worker(`JsonNL://127.0.0.1:${jsonPort}`);
json.onMessage = (connection, data) => {
  connection.send({ received: data });
};

const xml = new Worker(`XmlProtocol://127.0.0.1:${xmlPort}`);
xml.onMessage = (connection, body) => {
  connection.send(`<response>${body.length}</response>`);
};

const jsonInt = new Worker(`JsonInt://127.0.0.1:${jsonIntPort}`);
jsonInt.onMessage = (connection, data) => {
  connection.send({ received: data });
};

Worker.runAll();
