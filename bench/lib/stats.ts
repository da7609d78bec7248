// Summaries of repeated benchmark runs. On a shared machine single runs move
// by up to 2x, so every figure is reported as the median with its range, and
// ratios are taken run by run (ours and the peer measured back to back) before
// they are summarised.

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** "12,345 (11,000-13,100)": median, then the range over the runs. */
export function medianRange(values: readonly number[], format: (n: number) => string): string {
  if (values.length === 1) return format(values[0] as number);
  return `${format(median(values))} (${format(Math.min(...values))}-${format(Math.max(...values))})`;
}

export const count = (n: number) => Math.round(n).toLocaleString('en-US');
export const ratio = (n: number) => `${n.toFixed(2)}x`;
export const ms = (n: number) => `${n.toFixed(1)} ms`;

/** Run-by-run ratios of `ours` to `peer` (same index = measured back to back). */
export function pairRatios(ours: readonly number[], peer: readonly number[]): number[] {
  return ours.map((value, i) => value / (peer[i] as number));
}
