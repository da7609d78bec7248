/**
 * Per-process counters that feed the status table. One object for the whole
 * process, as in the origin; each field only ever grows except `connectionCount`.
 */
export const statistics = {
  /** Live connections of every kind in this process. */
  connectionCount: 0,
  /** Packets decoded and delivered to `onMessage`. */
  totalRequest: 0,
  /** User callbacks that threw or rejected. */
  throwException: 0,
  /** Sends refused because the connection was full or closed. */
  sendFail: 0,
  /** Input a codec or a size limit rejected (the status table's `packet_err`). */
  packetErr: 0,
};
