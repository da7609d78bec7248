// Gateways: they hold the client connections. Run them on the machines
// clients reach; reloading the business code never drops a client.
import { Gateway } from '../../src/index.js';
import { gatewayListen, lanIp, registerAddress, secretKey, startPort } from './settings.js';

const gateway = new Gateway(gatewayListen);
gateway.name = 'SplitGateway';
gateway.count = 2;
gateway.lanIp = lanIp;
gateway.startPort = startPort;
gateway.registerAddress = registerAddress;
gateway.secretKey = secretKey;
