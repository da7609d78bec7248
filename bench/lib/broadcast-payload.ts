/**
 * The message of bench/broadcast.ts: 2 KB of JSON, like a game state or a
 * chat room update, above both servers' 1 KB compression threshold so that
 * with permessage-deflate every server compresses it.
 */
export const BROADCAST_PAYLOAD = JSON.stringify({
  type: 'state',
  players: Array.from({ length: 24 }, (_, i) => ({
    id: `player-${i}`,
    x: (i * 37) % 500,
    y: (i * 91) % 500,
    score: i * 13,
    alive: i % 3 !== 0,
  })),
}).padEnd(2048, ' ');
