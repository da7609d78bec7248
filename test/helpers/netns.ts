import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { runStartFile, type StartFileRun } from './start-file.js';

/**
 * Hosts on one machine: a Linux network namespace per host, all wired to a
 * bridge that lives in a namespace of its own (so the machine's firewall,
 * which may drop bridged or forwarded traffic, never sees theirs), and the
 * test process reaching them through one more veth pair at `.254`.
 * Addresses are `10.77.<n>.<host>/24` with `<n>` chosen free at random and
 * every name carries a random suffix, so parallel runs do not meet.
 * Needs root; without it (or without `ip netns`) the test fails, saying so.
 */
export class Network {
  /** `10.77.<n>`: a host's address is `${prefix}.${index}`. */
  readonly prefix: string;
  /** The test process's address on the bridge. */
  readonly ownIp: string;
  readonly #t: TestContext;
  readonly #tag: string;
  readonly #hosts = new Map<string, Host>();
  /** Every namespace made, the switch first, for the cleanup. */
  readonly #namespaces: string[] = [];
  readonly #rootLink: string;
  #cleaned = false;
  readonly #onExit = () => this.cleanUp();

  private constructor(t: TestContext, tag: string, prefix: string) {
    this.#t = t;
    this.#tag = tag;
    this.prefix = prefix;
    this.ownIp = `${prefix}.254`;
    this.#rootLink = `wm${tag}`;
  }

  /** The switch and the root's link to it; hosts come with `addHost`. Cleaned up when `t` ends. */
  static create(t: TestContext): Network {
    if (process.getuid?.() !== 0) {
      throw new Error('multi-host tests need root (Linux network namespaces); run them as root');
    }
    const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        `multi-host tests need iproute2's "ip netns": ${probe.error?.message ?? probe.stderr}`,
      );
    }
    const network = new Network(t, randomBytes(3).toString('hex'), freePrefix());
    // Registered before anything exists, so a failure halfway is cleaned up too.
    t.after(() => network.cleanUp());
    process.once('exit', network.#onExit);
    const sw = network.#namespace('sw');
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', sw, 'link', 'set', 'br0', 'up');
    ip('link', 'add', network.#rootLink, 'type', 'veth', 'peer', 'name', 'root', 'netns', sw);
    ip('-n', sw, 'link', 'set', 'root', 'master', 'br0', 'up');
    ip('addr', 'add', `${network.ownIp}/24`, 'dev', network.#rootLink);
    ip('link', 'set', network.#rootLink, 'up');
    return network;
  }

  /** A new host `name` (a letter or two) at the next address. */
  addHost(name: string): Host {
    if (this.#hosts.has(name)) throw new Error(`host ${name} exists`);
    const address = `${this.prefix}.${this.#hosts.size + 1}`;
    const ns = this.#namespace(name);
    const sw = this.#namespaces[0]!;
    ip(
      'link',
      'add',
      `h${this.#tag}`,
      'netns',
      ns,
      'type',
      'veth',
      'peer',
      'name',
      `to-${name}`,
      'netns',
      sw,
    );
    ip('-n', ns, 'link', 'set', `h${this.#tag}`, 'name', 'eth0');
    ip('-n', sw, 'link', 'set', 'dev', `to-${name}`, 'master', 'br0', 'up');
    ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', ns, 'link', 'set', 'eth0', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
    const host = new Host(this.#t, name, ns, address);
    this.#hosts.set(name, host);
    return host;
  }

  host(name: string): Host {
    const host = this.#hosts.get(name);
    if (!host) throw new Error(`no host ${name}`);
    return host;
  }

  /**
   * Kills every process in the namespaces (whoever started it), then
   * deletes the namespaces, and with them every veth and the bridge.
   * Synchronous, so it also runs when the process exits early.
   */
  cleanUp(): void {
    if (this.#cleaned) return;
    this.#cleaned = true;
    process.removeListener('exit', this.#onExit);
    const namespaces = [...this.#namespaces].reverse();
    for (let round = 0; round < 50; round++) {
      let alive = 0;
      for (const ns of namespaces) {
        for (const pid of pidsIn(ns)) {
          alive++;
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Gone meanwhile.
          }
        }
      }
      if (alive === 0) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    for (const ns of namespaces) spawnSync('ip', ['netns', 'del', ns]);
    spawnSync('ip', ['link', 'del', this.#rootLink]);
  }

  #namespace(name: string): string {
    const ns = `wm-${this.#tag}-${name}`;
    ip('netns', 'add', ns);
    this.#namespaces.push(ns);
    return ns;
  }
}

/** One namespace host: runs start files and scripts there, changes its firewall. */
export class Host {
  readonly name: string;
  readonly ns: string;
  readonly ip: string;
  readonly #t: TestContext;

  constructor(t: TestContext, name: string, ns: string, address: string) {
    this.#t = t;
    this.name = name;
    this.ns = ns;
    this.ip = address;
  }

  /** `node --import tsx <file> start` inside this host; killed with the test. */
  start(file: string, env: Record<string, string> = {}): StartFileRun {
    return runStartFile(this.#t, file, env, ['ip', 'netns', 'exec', this.ns]);
  }

  /**
   * Starts a server program inside this host (redis-server) and resolves
   * once it printed `ready`; it is killed with the test (and with the
   * namespace). Rejects with its output if it exits first.
   */
  async serve(command: readonly string[], ready: RegExp): Promise<void> {
    const child = spawn('ip', ['netns', 'exec', this.ns, ...command], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#t.after(() => {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Already gone.
      }
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk;
        if (ready.test(output)) resolve();
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`${command[0]} exited (${code}): ${output}`)));
    });
  }

  /** Runs a program inside this host to its end. */
  run(command: readonly string[], env: Record<string, string> = {}): Promise<Finished> {
    return runProgram(['ip', 'netns', 'exec', this.ns, ...command], env);
  }

  /** `iptables <args>` inside this host (its own tables, nobody else's). */
  iptables(...args: string[]): void {
    ip('netns', 'exec', this.ns, 'iptables', '-w', ...args);
  }
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end (in the test's own namespace unless it enters another). */
export async function runProgram(
  command: readonly string[],
  env: Record<string, string> = {},
): Promise<Finished> {
  const child = spawn(command[0]!, command.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Runs `ip`, throwing with its message when it fails. */
function ip(...args: string[]): void {
  const done = spawnSync('ip', args, { encoding: 'utf8' });
  if (done.error || done.status !== 0) {
    const what = done.error?.message ?? done.stderr.trim();
    throw new Error(`ip ${args.join(' ')} failed: ${what}`);
  }
}

function pidsIn(ns: string): number[] {
  const done = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  if (done.status !== 0) return [];
  return done.stdout
    .split('\n')
    .filter((line) => /^\d+$/.test(line))
    .map(Number);
}

/** `10.77.<n>` no interface of this machine uses yet. */
function freePrefix(): string {
  const used = spawnSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }).stdout;
  for (let attempt = 0; attempt < 100; attempt++) {
    const prefix = `10.77.${1 + Math.floor(Math.random() * 250)}`;
    if (!used.includes(` ${prefix}.`)) return prefix;
  }
  throw new Error('no free 10.77.<n>.0/24 subnet on this machine');
}
