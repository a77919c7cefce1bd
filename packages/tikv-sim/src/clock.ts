/**
 * The simulated clock PD runs on. It starts at the wall clock and runs `timeScale` times faster, so
 * with a scale of 20 PD's 20 s disconnect threshold passes in one real second. Metrics are not
 * scaled: Prometheus computes rates over real seconds.
 */
export class SimClock {
  readonly timeScale: number;
  readonly #realStart: number;
  readonly #now: () => number;

  /** @param now the real clock in unix milliseconds (injectable for unit tests). */
  constructor(timeScale: number, now: () => number = Date.now) {
    this.timeScale = timeScale;
    this.#now = now;
    this.#realStart = now();
  }

  /** Real time, unix milliseconds. */
  realNow(): number {
    return this.#now();
  }

  /** Simulated time, unix milliseconds. Equal to the wall clock at scale 1. */
  simNow(): number {
    const real = this.#now();
    return this.#realStart + (real - this.#realStart) * this.timeScale;
  }

  /** Real milliseconds that `simMs` simulated milliseconds take. */
  toRealMs(simMs: number): number {
    return simMs / this.timeScale;
  }
}
