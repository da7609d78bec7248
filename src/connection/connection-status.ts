/** The connection states, as numbers (the origin's values) and as the names `connections` shows. */
export const ConnectionStatus = {
  INITIAL: 0,
  CONNECTING: 1,
  ESTABLISHED: 2,
  CLOSING: 4,
  CLOSED: 8,
} as const;
export type ConnectionStatusValue = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

export const STATUS_NAMES: Record<number, string> = {
  0: 'INITIAL',
  1: 'CONNECTING',
  2: 'ESTABLISHED',
  4: 'CLOSING',
  8: 'CLOSED',
};
