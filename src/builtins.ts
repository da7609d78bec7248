import type { Cluster } from 'node:cluster';

/**
 * The Node builtins that a typical process of ours never needs, loaded the
 * first time one is asked for: TLS for a TLS listener or client, zlib once
 * permessage-deflate is agreed, dgram for UDP, crypto where a hash, an HMAC
 * or random bytes are made, child_process and cluster in the process
 * manager, readline in the command line.
 *
 * Every module of src/ takes Node builtins through `process.getBuiltinModule`
 * (here, or at its top for the ones every process uses: fs, path, net, ...),
 * never through an ES `import` (types aside): importing a builtin as an ES
 * module reads each of its exports, which loads the parts Node otherwise
 * leaves for first use (`import { readFileSync } from 'node:fs'` loads
 * fs/promises and the stream machinery, 'node:process' the diagnostic
 * report). The layer check (tools/layers) refuses such imports. Measured
 * with bench/process-footprint.ts: the package's import went from 92 Node
 * modules to 42, and each idle process from 57 to 55 MB RSS.
 *
 * After its first call a loader costs a call and a variable read. Most run
 * once per connection or setup; zlib's runs once per compressed message,
 * next to the compression itself.
 */
function onFirstUse<Module>(load: () => Module): () => Module {
  let module: Module | undefined;
  return () => {
    module ??= load();
    return module;
  };
}

export const nodeChildProcess = onFirstUse(() => process.getBuiltinModule('node:child_process'));
// The module object is the cluster itself; the typings describe it as an ES
// module whose default export is the cluster.
export const nodeCluster = onFirstUse(
  () => process.getBuiltinModule('node:cluster') as unknown as Cluster,
);
export const nodeCrypto = onFirstUse(() => process.getBuiltinModule('node:crypto'));
export const nodeDgram = onFirstUse(() => process.getBuiltinModule('node:dgram'));
export const nodeOs = onFirstUse(() => process.getBuiltinModule('node:os'));
export const nodeReadline = onFirstUse(() => process.getBuiltinModule('node:readline'));
export const nodeTls = onFirstUse(() => process.getBuiltinModule('node:tls'));
export const nodeZlib = onFirstUse(() => process.getBuiltinModule('node:zlib'));
