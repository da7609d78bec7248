/**
 * A token bucket: `burst` tokens to start with, refilled at `perSecond`,
 * never above `burst`. `take()` spends one and says whether there was one.
 * So a client can send `burst` messages at once, then `perSecond` a second
 * for as long as it likes; anything beyond is refused.
 */
export class TokenBucket {
  readonly perSecond: number;
  readonly burst: number;
  #tokens: number;
  #at: number;

  constructor(perSecond: number, burst: number, now: number = Date.now()) {
    // A NaN rate would make every take() succeed: a typo must not lift the limit.
    if (!(perSecond > 0 && Number.isFinite(perSecond)) || !(burst >= 1 && Number.isFinite(burst))) {
      throw new RangeError(
        `TokenBucket: rate ${perSecond}/s and burst ${burst} must be finite, rate > 0, burst >= 1`,
      );
    }
    this.perSecond = perSecond;
    this.burst = burst;
    this.#tokens = burst;
    this.#at = now;
  }

  /** Spends a token if one is there; `now` in milliseconds. */
  take(now: number = Date.now()): boolean {
    const elapsedMs = Math.max(0, now - this.#at);
    this.#at = now;
    this.#tokens = Math.min(this.burst, this.#tokens + (elapsedMs * this.perSecond) / 1000);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
