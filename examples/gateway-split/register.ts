// The register: gateways announce themselves here, business workers learn
// where the gateways are. Run it on one private machine (or use Redis).
import { Register } from '../../src/index.js';
import { registerAddress, secretKey } from './settings.js';

const register = new Register(`text://${registerAddress}`);
register.secretKey = secretKey;
