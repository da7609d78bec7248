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
