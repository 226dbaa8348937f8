/**
 * KIE's documented limit: at most N new generation requests per sliding window per account (default
 * 20 per 10 s); excess requests are rejected with 429, not queued, so they do not use up the window.
 */
export interface RateLimiter {
  /** Records the request and returns true when it fits in the window; false = answer 429. */
  tryAcquire(now?: number): boolean;
}

export function createRateLimiter(limit: { max: number; windowMs: number }): RateLimiter {
  const accepted: number[] = [];
  return {
    tryAcquire(now = Date.now()) {
      while (accepted.length > 0 && accepted[0]! <= now - limit.windowMs) accepted.shift();
      if (accepted.length >= limit.max) return false;
      accepted.push(now);
      return true;
    },
  };
}
