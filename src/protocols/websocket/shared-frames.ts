// What the WebSocket sessions of one process share instead of each holding
// its own: the last frame built from a string (a broadcast encodes one
// message for many connections) and the frame parser's options.
import { webSocketDefaults } from './defaults.js';
import type { FrameParserOptions } from './frame-parser.js';
import { writeFrame } from './frame-writer.js';

// Only small frames are kept, so a big message is not kept alive after it was sent.
const REUSE_MAX_CHARS = 64 * 1024;
let lastText: string | null = null;
let lastOpcode = 0;
let lastFrame: Buffer = Buffer.alloc(0);

/**
 * An unmasked frame of `text`. A broadcast sends one string to many
 * connections: a frame is never modified once built, so the last one is
 * reused for the same text and opcode.
 */
export function unmaskedStringFrame(opcode: number, text: string): Buffer {
  if (text.length > REUSE_MAX_CHARS) return writeFrame(opcode, text);
  if (text !== lastText || opcode !== lastOpcode) {
    lastFrame = writeFrame(opcode, text);
    lastText = text;
    lastOpcode = opcode;
  }
  return lastFrame;
}

/**
 * The parser options of the last session started, shared by the next one
 * with the same settings (nearly every connection of a process): a parser
 * only reads them, and an idle connection then carries no copy of its own.
 */
let lastParserOptions: FrameParserOptions | null = null;

export function sharedParserOptions(
  maxMessageBytes: number,
  expectMasked: boolean,
  deflate: boolean,
): FrameParserOptions {
  const last = lastParserOptions;
  const minFragmentBytes = webSocketDefaults.minFragmentBytes;
  if (
    last !== null &&
    last.maxMessageBytes === maxMessageBytes &&
    last.minFragmentBytes === minFragmentBytes &&
    last.expectMasked === expectMasked &&
    last.deflate === deflate
  ) {
    return last;
  }
  lastParserOptions = Object.freeze({
    maxMessageBytes,
    minFragmentBytes,
    // The packet reader holds one frame at most: header + payload.
    maxFrameBytes: maxMessageBytes,
    expectMasked,
    deflate,
  });
  return lastParserOptions;
}
