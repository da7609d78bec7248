// A gateway cluster spread over hosts, each a Linux network namespace on
// one bridge (test/helpers/netns.ts; needs root): A runs the registry (the
// built-in register, then redis-server in a second run), B two
// gateway processes, C and D business workers, E more of them later, F a
// program with a GatewayClient. The clients are this test process, reaching
// B across the bridge. Every message a client sends is a call answered by
// tag, so a lost one times out and a doubled one stays unread.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ClusterClient } from '../../helpers/gateway-cluster.js';
import { type Host, Network, runProgram } from '../../helpers/netns.js';
import type { StartFileRun } from '../../helpers/start-file.js';
import { until } from '../../helpers/until.js';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../fixtures/netns/${name}.ts`, import.meta.url));
const REGISTER = fixture('register');
const GATEWAY = fixture('gateway');
const BUSINESS = fixture('business');
const PUSH = fixture('push');

const SECRET = 'multi-host-secret-5e21';
const PUBLIC_PORT = 7272;
/** The gateway cuts a worker link silent this long; the worker pings every LINK_PING_INTERVAL. */
const LINK_TIMEOUT = 3;
const LINK_PING_INTERVAL = 1;
/** When the gateway must have seen a silent link: linkTimeout, plus its check period (linkTimeout / 4, at least 1 s). */
const DETECTION_BOUND_MS = (LINK_TIMEOUT + Math.max(1, LINK_TIMEOUT / 4)) * 1000;

/** Pause between one client's answer and its next message. */
const PACE_MS = 20;

const gatewayOf = (client: ClusterClient) => client.id.slice(0, 12);

/** How the registry runs on host A; a variant gives the address peers are given. */
interface RegistryVariant {
  name: string;
  start(host: Host): Promise<string>;
}

const builtInRegister: RegistryVariant = {
  name: 'the built-in register',
  async start(host) {
    await host.start(REGISTER, { LAN_IP: host.ip, SECRET }).waitForLine(/Start success/);
    return `${host.ip}:1236`;
  },
};

const redisRegistry: RegistryVariant = {
  name: 'a Redis registry',
  async start(host) {
    await host.serve(
      // Protected mode refuses every peer but loopback when there is no password.
      [
        'redis-server',
        '--port',
        '6379',
        '--bind',
        host.ip,
        '--protected-mode',
        'no',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      /Ready to accept connections/,
    );
    return `redis://${host.ip}:6379`;
  },
};

/** Rejects, naming `what`, when `promise` takes longer than `ms`: a lost answer fails one step, not the file. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

/**
 * Keeps every client sending echo calls, one at a time each, and counts
 * sends and answers by the host that answered. Paced (a pause after each
 * answer) so the load leaves the machine's cores to the hosts starting and
 * stopping meanwhile: unpaced, a start takes ten times longer.
 */
class Traffic {
  sent = 0;
  answered = 0;
  readonly byHost = new Map<string, number>();
  readonly #loops: Promise<void>[];
  #running = true;

  constructor(clients: readonly ClusterClient[], answerLimitMs: number) {
    this.#loops = clients.map(async (client) => {
      while (this.#running) {
        this.sent++;
        const answer = await within(
          client.request('echo'),
          answerLimitMs,
          `answer to ${client.id}`,
        );
        this.answered++;
        const host = String(answer.host);
        this.byHost.set(host, (this.byHost.get(host) ?? 0) + 1);
        await delay(PACE_MS);
      }
    });
  }

  /** Answers so far from `host`. */
  from(host: string): number {
    return this.byHost.get(host) ?? 0;
  }

  /** Stops after each client's call in flight is answered; rejects if one is not. */
  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
  }
}

for (const registry of [builtInRegister, redisRegistry]) {
  test(`a cluster over hosts with ${registry.name}`, { timeout: 170_000 }, async (t) => {
    const network = Network.create(t);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => network.addHost(name)) as [
      Host,
      Host,
      Host,
      Host,
    ];
    const register = await registry.start(a);
    const common = { REGISTER: register, SECRET };
    const gateways = b.start(GATEWAY, {
      ...common,
      LAN_IP: b.ip,
      LINK_TIMEOUT: String(LINK_TIMEOUT),
    });
    await gateways.waitForLine(/Start success/);
    const business = (host: Host): StartFileRun =>
      host.start(BUSINESS, {
        ...common,
        HOST_NAME: host.name,
        LINK_PING_INTERVAL: String(LINK_PING_INTERVAL),
      });
    const started = new Map<string, StartFileRun>();
    for (const host of [c, d]) {
      started.set(host.name, business(host));
      await started.get(host.name)!.waitForLine(/Start success/);
    }

    const clients: ClusterClient[] = [];
    const connect = async () => {
      const client = await ClusterClient.connect(t, PUBLIC_PORT, b.ip);
      clients.push(client);
      return client;
    };
    /** Connects clients until one's events go to `host` (its workers joined); the others stay. */
    const connectUntilHandledBy = (host: string) =>
      until(async () => {
        const client = await connect();
        return client.welcome.host === host && client;
      }, `a new client handled by host ${host}`);
    const allConnected = () =>
      assert.deepEqual(
        clients.filter((client) => client.closed).map((client) => client.id),
        [],
        'no client was disconnected',
      );

    // Every worker of C and D linked to both gateway processes: new clients
    // are spread over all four pairs (gateway process, host).
    await until(async () => {
      const client = await connect();
      const pairs = new Set(clients.map((x) => `${gatewayOf(x)} ${x.welcome.host}`));
      return pairs.size === 4 && client;
    }, 'clients on both gateway processes handled by both hosts C and D');

    await t.test('clients on the two gateway processes message each other', async () => {
      const x = clients[0]!;
      const y = clients.find((client) => gatewayOf(client) !== gatewayOf(x))!;
      await x.call('bindUid', x.id, 'ux');
      await y.call('bindUid', y.id, 'uy');
      await x.call('sendToUid', 'uy', 'from x');
      assert.equal((await y.next((line) => 'text' in line)).text, 'from x');
      await y.call('sendToUid', 'ux', 'from y');
      assert.equal((await x.next((line) => 'text' in line)).text, 'from y');
      await x.call('sendToAll', 'to all');
      for (const client of clients) {
        assert.equal((await client.next((line) => 'text' in line)).text, 'to all');
      }
      assert.equal(await x.call('getAllClientCount'), clients.length);
    });

    await t.test('host E joins: new clients are handled there too, nobody notices', async () => {
      const traffic = new Traffic([...clients], 20_000);
      const e = network.addHost('e');
      started.set('e', business(e));
      await started.get('e')!.waitForLine(/Start success/);
      const first = await connectUntilHandledBy('e');
      assert.equal((await first.request('echo')).host, 'e');
      await traffic.stop();
      assert.equal(traffic.answered, traffic.sent);
      assert.equal(traffic.from('e'), 0, 'clients already connected stay with their worker');
      allConnected();
    });

    await t.test('host C stops: its clients move to D and E, still connected', async () => {
      const onC = clients.filter((client) => client.welcome.host === 'c');
      assert.ok(onC.length > 0, 'some clients were handled by C');
      const traffic = new Traffic([...clients], 20_000);
      const stopped = await started.get('c')!.cli(['stop', '-g']);
      assert.equal(stopped.code, 0, stopped.stdout + stopped.stderr);
      const before = traffic.answered;
      await until(() => traffic.answered >= before + clients.length * 3, 'answers after C left');
      await traffic.stop();
      assert.equal(traffic.answered, traffic.sent);
      for (const client of onC) assert.notEqual((await client.request('echo')).host, 'c');
      allConnected();
    });

    await t.test('B and C cut apart: detected in time, traffic goes on, healed', async () => {
      started.set('c', business(c));
      await started.get('c')!.waitForLine(/Start success/);
      // C's fresh workers have the fewest clients: new clients go there.
      await connectUntilHandledBy('c');
      await connectUntilHandledBy('c');
      const seen = gateways.output.length;
      const traffic = new Traffic([...clients], 30_000);
      await until(() => traffic.answered >= clients.length * 3, 'traffic flowing');

      const cutAt = Date.now();
      c.iptables('-A', 'INPUT', '-s', b.ip, '-j', 'DROP');
      c.iptables('-A', 'OUTPUT', '-d', b.ip, '-j', 'DROP');
      await until(
        () =>
          gateways.output.slice(seen).filter((line) => /linkTimeout\): cut/.test(line)).length >= 4,
        'the gateway processes cutting the links of both C workers',
        20_000,
      );
      const detectedMs = Date.now() - cutAt;
      assert.ok(
        detectedMs <= DETECTION_BOUND_MS + 3000,
        `links cut ${detectedMs} ms after the network was, bound ${DETECTION_BOUND_MS} ms`,
      );
      // Each client bound to C had a message on its way when the cut came:
      // the gateways hand those on instead of losing them with the link.
      await until(
        () => gateways.output.slice(seen).some((line) => /event\(s\) not handled/.test(line)),
        'the events caught on the cut links handed on',
        10_000,
      );
      const answeredAtDetection = traffic.answered;
      await until(
        () => traffic.answered >= answeredAtDetection + clients.length * 3,
        'answers while B and C are apart',
      );
      const fromCBeforeHeal = traffic.from('c');

      c.iptables('-D', 'INPUT', '-s', b.ip, '-j', 'DROP');
      c.iptables('-D', 'OUTPUT', '-d', b.ip, '-j', 'DROP');
      await connectUntilHandledBy('c');
      await traffic.stop();
      assert.equal(traffic.answered, traffic.sent, 'every message answered');
      assert.ok(fromCBeforeHeal > 0);
      for (const client of clients) {
        assert.deepEqual(
          client.unread((line) => line.tag !== undefined),
          [],
          `no message of ${client.id} answered twice`,
        );
      }
      allConnected();
    });

    await t.test(
      'a GatewayClient on host F and one in another process push and query',
      async () => {
        const f = network.addHost('f');
        const [member1, member2] = [clients[0]!, clients.at(-1)!];
        await member1.call('bindUid', member1.id, 'push-uid');
        await member1.call('joinGroup', member1.id, 'push-group');
        await member2.call('joinGroup', member2.id, 'push-group');
        const live = clients.filter((client) => !client.closed);
        const push = async (
          run: (env: Record<string, string>) => Promise<string>,
          from: string,
        ) => {
          const output = await run({
            ...common,
            FROM: from,
            UID: 'push-uid',
            GROUP: 'push-group',
          });
          const report = JSON.parse(output.trim().split('\n').at(-1)!) as Record<string, unknown>;
          assert.equal(report.gateways, 2);
          assert.equal(report.clients, live.length);
          assert.ok((report.uids as string[]).includes('push-uid'));
          assert.deepEqual(report.group, [member1.id, member2.id].sort());
          for (const client of live) {
            const expected = [`${from}:all`];
            if (client === member1) expected.push(`${from}:uid`);
            if (client === member1 || client === member2) expected.push(`${from}:group`);
            const got: unknown[] = [];
            for (const _ of expected) got.push((await client.next((line) => 'text' in line)).text);
            assert.deepEqual(got, expected);
          }
        };
        await push(async (env) => {
          const done = await f.run([process.execPath, '--import', 'tsx', PUSH], env);
          assert.equal(done.code, 0, done.stderr);
          return done.stdout;
        }, 'host-f');
        await push(async (env) => {
          const done = await runProgram([process.execPath, '--import', 'tsx', PUSH], env);
          assert.equal(done.code, 0, done.stderr);
          return done.stdout;
        }, 'test-host');
      },
    );
  });
}
