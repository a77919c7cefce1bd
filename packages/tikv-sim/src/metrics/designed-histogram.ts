/** How one simulated histogram series looks: its buckets, the quantile it is designed for, its rate. */
export interface HistogramShape {
  /** Exposition prefix up to the bucket label, e.g. `tikv_raftstore_raft_process_duration_secs{type="ready",`. */
  readonly name: string;
  /** Labels written before `le`, e.g. `type="ready"` (empty for none). */
  readonly labels: string;
  /** Finite upper bounds, ascending. */
  readonly buckets: readonly number[];
  /** The quantile the alert rule reads (0.99, 0.999, 0.9999): the target lands exactly on it. */
  readonly quantile: number;
  /** Observations per real second. */
  readonly rate: number;
  /** The normal value of that quantile. */
  readonly normal: number;
}

/**
 * A histogram whose `histogram_quantile(<its quantile>, rate(..._bucket[w]))` comes out at the value
 * it is set to, for any window inside one regime. All observations fall in the target's bucket and
 * the one below it, weighted so Prometheus's linear interpolation lands on the target. Buckets
 * accrue on the real clock; a new target folds what accrued, so counters never go back.
 */
export class DesignedHistogram {
  readonly #shape: HistogramShape;
  readonly #lines: {
    readonly bucket: string[];
    readonly inf: string;
    readonly sum: string;
    readonly count: string;
  };
  readonly #base: Float64Array;
  #count = 0;
  #sum = 0;
  #cdf: number[];
  #target: number;
  #since: number;

  constructor(shape: HistogramShape, nowMs: number, uptimeSeconds: number) {
    this.#shape = shape;
    const open = shape.labels === "" ? "{" : `{${shape.labels},`;
    const close = shape.labels === "" ? "" : `{${shape.labels}}`;
    this.#lines = {
      bucket: shape.buckets.map((b) => `${shape.name}_bucket${open}le="${_rustFloat(b)}"} `),
      inf: `${shape.name}_bucket${open}le="+Inf"} `,
      sum: `${shape.name}_sum${close} `,
      count: `${shape.name}_count${close} `,
    };
    this.#base = new Float64Array(shape.buckets.length);
    this.#target = shape.normal;
    this.#cdf = cdfFor(shape.buckets, shape.quantile, shape.normal);
    this.#since = nowMs - uptimeSeconds * 1000;
    this.#fold(nowMs);
  }

  /** Moves the quantile to `value` from `nowMs` on; `null` restores the normal value. */
  set(nowMs: number, value: number | null): void {
    this.#fold(nowMs);
    this.#target = value ?? this.#shape.normal;
    this.#cdf = cdfFor(this.#shape.buckets, this.#shape.quantile, this.#target);
  }

  /** Appends the series' exposition lines at real time `nowMs`. */
  render(nowMs: number, out: string[]): void {
    const added = (this.#shape.rate * Math.max(0, nowMs - this.#since)) / 1000;
    for (let i = 0; i < this.#base.length; i++) {
      const value = (this.#base[i] as number) + added * (this.#cdf[i] as number);
      out.push(this.#lines.bucket[i] as string, _count(value), "\n");
    }
    const count = _count(this.#count + added);
    out.push(this.#lines.inf, count, "\n", this.#lines.count, count, "\n");
    out.push(this.#lines.sum, String(Math.round((this.#sum + added * this.#target) * 1e6) / 1e6), "\n");
  }

  #fold(nowMs: number): void {
    const added = (this.#shape.rate * Math.max(0, nowMs - this.#since)) / 1000;
    for (let i = 0; i < this.#base.length; i++)
      this.#base[i] = (this.#base[i] as number) + added * (this.#cdf[i] as number);
    this.#count += added;
    this.#sum += added * this.#target;
    this.#since = Math.max(this.#since, nowMs);
  }
}

/**
 * Cumulative fractions at each bound so that the interpolated `quantile` is `target`: mass `c` in
 * the bucket below the target's and the rest in the target's bucket, with
 * `lo + (hi - lo) * (q - c) / (1 - c) = target`. Above the last bound everything is in `+Inf`.
 */
export function cdfFor(buckets: readonly number[], quantile: number, target: number): number[] {
  const i = buckets.findIndex((b) => b >= target);
  if (i < 0) return buckets.map(() => 0);
  const lo = i === 0 ? 0 : (buckets[i - 1] as number);
  const hi = buckets[i] as number;
  const r = (target - lo) / (hi - lo);
  const below = i === 0 || r >= quantile ? 0 : (quantile - r) / (1 - r);
  return buckets.map((_, j) => (j < i - 1 ? 0 : j === i - 1 ? below : 1));
}

/** `start * factor^i` for `count` bounds, as TiKV's `exponential_buckets`. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

// --- Internal helpers ---

function _count(value: number): string {
  return String(Math.floor(value * 1000) / 1000);
}

/** Rust's `f64` Display: plain decimal, never exponent notation. */
function _rustFloat(x: number): string {
  const text = String(x);
  return text.includes("e") ? x.toFixed(20).replace(/\.?0+$/, "") : text;
}
