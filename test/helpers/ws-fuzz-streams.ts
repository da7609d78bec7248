/** Seeded generators of client frame streams for the fuzz tests. */

export function rng(seed: number) {
  let state = seed >>> 0 || 1;
  return (n: number) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

function frame(
  random: (n: number) => number,
  opcode: number,
  payload: Buffer,
  fin: boolean,
): Buffer {
  const length = payload.length;
  const head = length < 126 ? [0, 0x80 | length] : [0, 0x80 | 126, length >> 8, length & 0xff];
  head[0] = (fin ? 0x80 : 0) | opcode;
  const key = Buffer.from([random(256), random(256), random(256), random(256)]);
  const body = Buffer.from(payload);
  for (let i = 0; i < length; i++) body[i] = (body[i] as number) ^ (key[i % 4] as number);
  return Buffer.concat([Buffer.from(head), key, body]);
}

function payload(random: (n: number) => number, text: boolean, max: number): Buffer {
  const length = random(max + 1);
  if (!text) return Buffer.from(Array.from({ length }, () => random(256)));
  const alphabet = ['a', 'é', '€', '𝄞', ' ', 'z'];
  let out = '';
  while (Buffer.byteLength(out) < length) out += alphabet[random(alphabet.length)];
  return Buffer.from(out);
}

/** A random valid stream: messages (some fragmented, control frames between fragments), maybe a close. */
export function validStream(random: (n: number) => number): Buffer {
  const frames: Buffer[] = [];
  const messages = 1 + random(4);
  for (let m = 0; m < messages; m++) {
    const text = random(2) === 0;
    const whole = payload(random, text, random(4) === 0 ? 300 : 40);
    const pieces = 1 + random(3);
    let at = 0;
    for (let p = 0; p < pieces; p++) {
      const end =
        p === pieces - 1 ? whole.length : Math.min(whole.length, at + random(whole.length + 1));
      frames.push(
        frame(random, p === 0 ? (text ? 1 : 2) : 0, whole.subarray(at, end), p === pieces - 1),
      );
      at = end;
      if (random(4) === 0)
        frames.push(frame(random, random(2) ? 9 : 10, payload(random, false, 20), true));
    }
  }
  if (random(3) === 0) frames.push(frame(random, 8, Buffer.from([0x03, 0xe8, 0x6f, 0x6b]), true));
  return Buffer.concat(frames);
}

export function mutate(random: (n: number) => number, bytes: Buffer): Buffer {
  const out = [...bytes];
  const edits = 1 + random(3);
  for (let e = 0; e < edits && out.length > 0; e++) {
    const at = random(out.length);
    const kind = random(4);
    if (kind === 0) out[at] = random(256);
    else if (kind === 1) out[at] = (out[at] as number) ^ (1 << random(8));
    else if (kind === 2) out.splice(at, 0, random(256));
    else out.splice(at, 1);
  }
  return Buffer.from(out);
}
