// Fills the pond with simulated tadpoles, to watch the gateways under many
// moving clients: each is one WebSocket that swims circles and wanders,
// sending about 10 updates a second, and counts what the others send it.
//
//   node --import tsx examples/tadpole/swarm.ts [count=50] [url=ws://127.0.0.1:8585] [seconds=60]
//
// It stops by itself after `seconds` (or on Ctrl-C) and prints how many
// updates it sent and received.
import WebSocket from 'ws';

const count = Number(process.argv[2] ?? 50);
const url = process.argv[3] ?? 'ws://127.0.0.1:8585';
const seconds = Number(process.argv[4] ?? 60);
const UPDATE_EVERY_MS = 100;

if (!Number.isInteger(count) || count < 1 || count > 10_000) {
  console.error(`count must be a whole number from 1 to 10000, got ${process.argv[2]}`);
  process.exit(2);
}
if (!Number.isFinite(seconds) || seconds <= 0) {
  console.error(`seconds must be a positive number, got ${process.argv[4]}`);
  process.exit(2);
}

const totals = { sent: 0, received: 0, bubbles: 0, opened: 0, failed: 0 };

/** One simulated swimmer: a circle of its own radius and speed, drifting slowly. */
class Swimmer {
  readonly #socket: WebSocket;
  readonly #name: string;
  #x: number;
  #y: number;
  #angle = Math.random() * Math.PI * 2;
  readonly #turn = (Math.random() < 0.5 ? -1 : 1) * (0.3 + Math.random() * 0.9);
  readonly #momentum = 0.8 + Math.random() * 1.6;
  #timer: NodeJS.Timeout | null = null;

  constructor(index: number) {
    this.#name = `swarm ${index + 1}`;
    this.#x = (Math.random() - 0.5) * 800;
    this.#y = (Math.random() - 0.5) * 800;
    this.#socket = new WebSocket(url);
    this.#socket.on('open', () => {
      totals.opened++;
      this.#timer = setInterval(() => this.#swim(), UPDATE_EVERY_MS);
    });
    this.#socket.on('message', (data) => {
      const text = data.toString();
      // Counting by prefix: the swarm measures the pond, it does not parse every message.
      if (text.startsWith('{"type":"update"')) totals.received++;
      else if (text.startsWith('{"type":"message"')) totals.bubbles++;
    });
    this.#socket.on('error', (error) => {
      totals.failed++;
      if (totals.failed === 1) console.error(`swarm: ${url}: ${error.message}`);
    });
    this.#socket.on('close', () => this.#stopSwimming());
  }

  #swim(): void {
    const dt = UPDATE_EVERY_MS / 1000;
    // Wander: the turn rate drifts, so circles become loops and spirals.
    this.#angle += (this.#turn + Math.sin(Date.now() / 2000 + this.#momentum) * 0.5) * dt;
    this.#angle = Math.atan2(Math.sin(this.#angle), Math.cos(this.#angle));
    this.#x += Math.cos(this.#angle) * this.#momentum * 90 * dt;
    this.#y += Math.sin(this.#angle) * this.#momentum * 90 * dt;
    this.#socket.send(
      JSON.stringify({
        type: 'update',
        x: this.#x,
        y: this.#y,
        angle: this.#angle,
        momentum: this.#momentum,
        name: this.#name,
      }),
    );
    totals.sent++;
    if (Math.random() < 0.002) {
      this.#socket.send(JSON.stringify({ type: 'message', message: `${this.#name} says hi` }));
    }
  }

  #stopSwimming(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  close(): Promise<void> {
    this.#stopSwimming();
    if (this.#socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.#socket.once('close', () => resolve());
      this.#socket.close(1000, 'swarm done');
      // A peer that never answers the close must not keep the swarm running.
      setTimeout(() => {
        this.#socket.terminate();
        resolve();
      }, 2000).unref();
    });
  }
}

const swimmers = Array.from({ length: count }, (_, index) => new Swimmer(index));
console.log(`swarm: ${count} tadpoles swimming in ${url} for ${seconds} s (Ctrl-C stops)`);

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearTimeout(deadline);
  await Promise.all(swimmers.map((swimmer) => swimmer.close()));
  console.log(
    `swarm: ${totals.opened} of ${count} connected, sent ${totals.sent} updates, ` +
      `received ${totals.received} updates and ${totals.bubbles} bubbles`,
  );
  process.exitCode = totals.opened === 0 ? 1 : 0;
}

const deadline = setTimeout(stop, seconds * 1000);
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
