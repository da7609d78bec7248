import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { until } from './until.js';

/** The one-letter state of a process in /proc (`R`, `S`, `T`, `Z`...), or `null` once it is gone. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

/**
 * Waits until `pid` has exited and closed its files: gone, or a zombie its
 * (stopped) parent has not yet reaped. A zombie leader's other threads may
 * still be exiting, holding the files, so the test is on the open
 * descriptors, not on the state letter.
 */
export function exited(pid: number, what: string): Promise<true> {
  return until(() => {
    try {
      return readdirSync(`/proc/${pid}/fd`).length === 0;
    } catch {
      return true;
    }
  }, what);
}

/**
 * Runs `during` while the process `pid` is frozen with SIGSTOP, then lets it
 * go on with SIGCONT (also when `during` fails). What happens meanwhile (a
 * child dying, a request arriving) is all waiting for it when it wakes, in
 * the order it happened.
 */
export async function whileFrozen(pid: number, during: () => Promise<void>): Promise<void> {
  process.kill(pid, 'SIGSTOP');
  await until(() => processState(pid) === 'T', `process ${pid} to stop`);
  try {
    await during();
  } finally {
    process.kill(pid, 'SIGCONT');
  }
}

/**
 * A raw connection to a master's control socket, for requests sent at a
 * moment the test chooses: `send` writes one line, `replies` collects what
 * comes back. It keeps its writing side open after the master's FIN, so a
 * request can follow an answered one.
 */
export async function controlConnection(path: string): Promise<{
  socket: Socket;
  send(request: object): void;
  replies: Record<string, unknown>[];
  nextReply(): Promise<Record<string, unknown>>;
}> {
  const socket = connect({ path, allowHalfOpen: true });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const replies: Record<string, unknown>[] = [];
  let wake: (() => void) | null = null;
  createInterface({ input: socket }).on('line', (line) => {
    replies.push(JSON.parse(line) as Record<string, unknown>);
    wake?.();
  });
  let taken = 0;
  return {
    socket,
    replies,
    send: (request) => socket.write(`${JSON.stringify(request)}\n`),
    nextReply: async () => {
      const deadline = Date.now() + 30_000;
      while (replies.length <= taken) {
        if (socket.destroyed || Date.now() > deadline) throw new Error('no reply');
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 200);
        });
      }
      return replies[taken++] as Record<string, unknown>;
    },
  };
}

/**
 * The sockets bound to `port` on this machine, as `socket:[inode]` (what
 * /proc/<pid>/fd links read): TCP listeners (state 0A) or unconnected UDP
 * sockets (state 07, no remote address), IPv4 and IPv6.
 */
export function boundSockets(port: number, kind: 'tcp' | 'udp' = 'tcp'): Set<string> {
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of [`/proc/net/${kind}`, `/proc/net/${kind}6`]) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // local_address and rem_address are HEXIP:PORT; field 3 the state; field 9 the inode.
      const fields = line.trim().split(/\s+/);
      const bound =
        kind === 'tcp'
          ? fields[3] === '0A'
          : fields[3] === '07' && /^0+:0000$/.test(fields[2] ?? '');
      if (fields[1]?.endsWith(`:${portHex}`) && bound && fields[9]) {
        inodes.add(`socket:[${fields[9]}]`);
      }
    }
  }
  return inodes;
}

/** Which of `pids` hold each of `sockets` open (`socket:[inode]` -> pids). */
export function socketHolders(
  sockets: Set<string>,
  pids: readonly number[],
): Map<string, number[]> {
  const holders = new Map<string, number[]>([...sockets].map((socket) => [socket, []]));
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue; // gone
    }
    const held = new Set<string>();
    for (const fd of fds) {
      try {
        held.add(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        // closed meanwhile
      }
    }
    for (const [socket, list] of holders) if (held.has(socket)) list.push(pid);
  }
  return holders;
}

/**
 * The process listening on TCP `port` (IPv4 or IPv6), found through
 * /proc/net/tcp* and the processes' open sockets; `null` when none of ours is.
 */
export function pidListeningOn(port: number): number | null {
  const inodes = boundSockets(port, 'tcp');
  if (inodes.size === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // another user's, or gone
    }
    for (const fd of fds) {
      try {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}
