// One place for the cluster's addresses, read from the environment so each
// machine runs the same files with its own values.
const env = process.env;

/** Where every process finds the register: `host:port`, a list, or `redis://…`. */
export const registerAddress = env.REGISTER_ADDRESS ?? '127.0.0.1:1238';
/** Shared by every process of the cluster (never sent; proven by HMAC). */
export const secretKey = env.CLUSTER_SECRET ?? 'change me';
/** This machine's private address, where business workers reach its gateways. */
export const lanIp = env.LAN_IP ?? '127.0.0.1';
/** Where clients connect. */
export const gatewayListen = env.GATEWAY_LISTEN ?? 'text://0.0.0.0:8282';
/** Internal port of gateway process n: startPort + n (0: any free port). */
export const startPort = Number(env.START_PORT ?? 2300);
