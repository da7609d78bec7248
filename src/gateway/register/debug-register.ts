const { debuglog } = process.getBuiltinModule('node:util');

/** `NODE_DEBUG=workerman-gateway` shows peers joining and leaving registers, and register links. */
export const debugRegister = debuglog('workerman-gateway');
