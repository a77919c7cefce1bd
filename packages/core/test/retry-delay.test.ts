import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_BACKOFF, retryDelay } from "../src/retry-delay.ts";

describe("retryDelay: exponential backoff with full jitter", () => {
  it("draws uniformly below min(cap, initial × 2^(attempt-1)), never more", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 80 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (attempt, draw) => {
          const delay = retryDelay(attempt, undefined, {}, () => draw);
          const ceiling = Math.min(DEFAULT_BACKOFF.maxMs, DEFAULT_BACKOFF.initialMs * 2 ** (attempt - 1));
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(ceiling);
          expect(delay).toBe(Math.floor(draw * ceiling));
        },
      ),
    );
  });

  it("doubles the ceiling per attempt until the cap of 60 s by default", () => {
    const top = (attempt: number) => retryDelay(attempt, undefined, {}, () => 0.999_999);
    expect([1, 2, 3, 4, 5, 6, 7].map(top)).toEqual([999, 1999, 3999, 7999, 15_999, 31_999, 59_999]);
    expect(top(40)).toBe(59_999);
    expect(retryDelay(3, undefined, {}, () => 0)).toBe(0);
  });

  it("takes a configured initial delay and cap", () => {
    const top = (attempt: number) =>
      retryDelay(attempt, undefined, { initialMs: 100, maxMs: 500 }, () => 0.999_999);
    expect([1, 2, 3, 4, 10].map(top)).toEqual([99, 199, 399, 499, 499]);
  });

  it("honours the receiver's retryAfterMs instead, cut at maxRetryAfterMs", () => {
    expect(retryDelay(1, 7_000, {}, () => 0)).toBe(7_000);
    expect(retryDelay(9, 0, {}, () => 0.5)).toBe(0);
    expect(retryDelay(1, 3_600_000, {}, () => 0)).toBe(DEFAULT_BACKOFF.maxRetryAfterMs);
    expect(retryDelay(1, 3_600_000, { maxRetryAfterMs: 90_000 }, () => 0)).toBe(90_000);
    expect(retryDelay(1, Number.NaN, { initialMs: 100 }, () => 0.5)).toBe(50);
    expect(retryDelay(1, -5, { initialMs: 100 }, () => 0.5)).toBe(50);
  });
});
