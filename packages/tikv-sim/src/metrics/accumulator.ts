/**
 * A quantity that grows at a settable rate over real time (a counter, or TiKV's cumulative CPU
 * gauges). Changing the rate folds what accrued so far, so the value never jumps or goes backwards.
 */
export class Accumulator {
  #base: number;
  #rate: number;
  #since: number;

  /** @param rate per real second; @param initial value at `nowMs`. */
  constructor(nowMs: number, rate: number, initial = 0) {
    this.#base = initial;
    this.#rate = rate;
    this.#since = nowMs;
  }

  /** Current growth per real second. */
  get rate(): number {
    return this.#rate;
  }

  /** Value at real time `nowMs` (never before the last rate change). */
  valueAt(nowMs: number): number {
    return this.#base + (this.#rate * Math.max(0, nowMs - this.#since)) / 1000;
  }

  /** Changes the growth rate from `nowMs` on. */
  setRate(nowMs: number, rate: number): void {
    this.#base = this.valueAt(nowMs);
    this.#since = Math.max(nowMs, this.#since);
    this.#rate = rate;
  }
}
