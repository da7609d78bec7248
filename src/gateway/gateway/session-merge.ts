/**
 * `updateSession`: the given fields replace the session's, and nested
 * objects merge field by field the same way (the PHP original's
 * `array_replace_recursive`); arrays and other values are replaced whole.
 */
export function mergeSession(
  current: Record<string, unknown>,
  update: Record<string, unknown>,
): Record<string, unknown> {
  // No prototype: a key named "__proto__" in a peer's JSON stays a plain key.
  const merged: Record<string, unknown> = Object.assign(Object.create(null), current);
  for (const [key, value] of Object.entries(update)) {
    const before = merged[key];
    merged[key] =
      isPlainObject(before) && isPlainObject(value) ? mergeSession(before, value) : value;
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
