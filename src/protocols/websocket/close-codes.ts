/**
 * WebSocket close status codes (RFC 6455 §7.4.1) and which of them may
 * travel in a Close frame (§7.4.2).
 */
export const CloseCode = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  PROTOCOL_ERROR: 1002,
  UNSUPPORTED_DATA: 1003,
  /** Reserved: "no status code was present"; never sent on the wire. */
  NO_STATUS: 1005,
  /** Reserved: "closed without a Close frame"; never sent on the wire. */
  ABNORMAL: 1006,
  INVALID_PAYLOAD: 1007,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
  MANDATORY_EXTENSION: 1010,
  INTERNAL_ERROR: 1011,
} as const;

/**
 * Whether `code` may appear in a Close frame:
 *  - 1000-1003 and 1007-1011 are defined by RFC 6455; 1012-1014 are
 *    registered with IANA (service restart, try again later, bad gateway);
 *  - 1004 (reserved), 1005 and 1006 (local-only) and 1015 (TLS failure,
 *    local-only) must not be sent;
 *  - 3000-4999 belong to libraries, frameworks and applications;
 *  - everything else (0-999, 1016-2999, 5000+) is invalid.
 */
export function isValidCloseCode(code: number): boolean {
  if (code >= 1000 && code <= 1014) return code !== 1004 && code !== 1005 && code !== 1006;
  return code >= 3000 && code <= 4999;
}

/** §5.5: a control frame carries at most 125 bytes, so a close reason at most 123 after the code. */
export const MAX_CLOSE_REASON_BYTES = 123;

/**
 * Why `code` and `reason` cannot go in a Close frame we send, or null when
 * they can: the code must be one `isValidCloseCode` accepts (never 1005,
 * 1006 or 1015, which only report a close locally) and the reason at most
 * 123 bytes of UTF-8.
 */
export function closeFrameProblem(code: number, reason: string): string | null {
  if (!Number.isInteger(code) || !isValidCloseCode(code)) {
    return `close code ${String(code)} may not be sent (allowed: 1000-1003, 1007-1014, 3000-4999)`;
  }
  const bytes = Buffer.byteLength(reason);
  if (bytes > MAX_CLOSE_REASON_BYTES) {
    return `close reason of ${bytes} bytes, over the ${MAX_CLOSE_REASON_BYTES} bytes a Close frame holds`;
  }
  return null;
}
