// Business workers: the application. Run them on any machine that reaches
// the register and the gateways. Each line a client sends is a command:
//   login <name>        bind this connection to <name>
//   to <name> <text>    send <text> to every connection of <name>
//   <text>              send <text> to everyone
import { BusinessWorker, Gateway } from '../../src/index.js';
import { registerAddress, secretKey } from './settings.js';

const business = new BusinessWorker();
business.name = 'SplitBusiness';
business.count = 2;
business.registerAddress = registerAddress;
business.secretKey = secretKey;
business.eventHandler = {
  onConnect(client) {
    return client.send(`hello ${client.id}`);
  },
  async onMessage(client, message) {
    const line = String(message);
    const name = typeof client.session.name === 'string' ? client.session.name : client.id;
    const login = /^login (\S{1,32})$/.exec(line);
    if (login) {
      client.session.name = login[1];
      await Gateway.bindUid(client.id, login[1]!);
      return client.send(`welcome ${login[1]}`);
    }
    const direct = /^to (\S{1,32}) (.+)$/.exec(line);
    if (direct) return Gateway.sendToUid(direct[1]!, `${name} (to you): ${direct[2]}`);
    return Gateway.sendToAll(`${name}: ${line}`);
  },
};
