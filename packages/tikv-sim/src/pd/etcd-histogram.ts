import { Accumulator } from "../metrics/accumulator.ts";

/** etcd's WAL fsync buckets: `ExponentialBuckets(0.001, 2, 14)`, 1 ms .. 8.192 s. */
export const WAL_FSYNC_BUCKETS: readonly number[] = Array.from({ length: 14 }, (_, i) => 0.001 * 2 ** i);
/** etcd's peer round-trip buckets: `ExponentialBuckets(0.0001, 2, 16)`, 0.1 ms .. 3.2768 s. */
export const PEER_RTT_BUCKETS: readonly number[] = Array.from({ length: 16 }, (_, i) => 0.0001 * 2 ** i);

/**
 * One etcd latency histogram growing over real time at `opsPerSecond`, shaped so that
 * `histogram_quantile(0.99, rate(..._bucket[w]))` lands on the p99 it is given (98.1-99 % of the
 * observations at or below the bucket under the p99, the rest inside the p99's bucket). A new p99
 * folds what accrued, so counters never go back.
 */
export class EtcdHistogram {
  readonly #buckets: readonly number[];
  readonly #counts: Accumulator[];
  readonly #sum: Accumulator;
  readonly #total: Accumulator;
  readonly #ops: number;

  constructor(buckets: readonly number[], nowMs: number, opsPerSecond: number, p99Seconds: number) {
    this.#buckets = buckets;
    this.#ops = opsPerSecond;
    const shape = cdfFor(buckets, p99Seconds);
    this.#counts = shape.cdf.map((c) => new Accumulator(nowMs, opsPerSecond * c));
    this.#sum = new Accumulator(nowMs, opsPerSecond * shape.mean);
    this.#total = new Accumulator(nowMs, opsPerSecond);
  }

  /** Moves the p99 from `nowMs` on. */
  setP99(nowMs: number, p99Seconds: number): void {
    const shape = cdfFor(this.#buckets, p99Seconds);
    this.#counts.forEach((count, i) => {
      count.setRate(nowMs, this.#ops * (shape.cdf[i] as number));
    });
    this.#sum.setRate(nowMs, this.#ops * shape.mean);
  }

  /** Appends `<name>_bucket{<labels>le=...}` lines, `_sum` and `_count` at real time `nowMs`. */
  render(name: string, labels: string, nowMs: number, out: string[]): void {
    const prefix = labels === "" ? "" : `${labels},`;
    this.#buckets.forEach((bound, i) => {
      const value = (this.#counts[i] as Accumulator).valueAt(nowMs);
      out.push(`${name}_bucket{${prefix}le="${bound}"} ${round(value)}\n`);
    });
    const total = round(this.#total.valueAt(nowMs));
    out.push(`${name}_bucket{${prefix}le="+Inf"} ${total}\n`);
    const braces = labels === "" ? "" : `{${labels}}`;
    out.push(
      `${name}_sum${braces} ${round(this.#sum.valueAt(nowMs))}\n`,
      `${name}_count${braces} ${total}\n`,
    );
  }
}

// --- Internal helpers ---

/** Cumulative fractions per bucket whose interpolated 0.99 quantile is `p99`. */
function cdfFor(buckets: readonly number[], p99: number): { cdf: number[]; mean: number } {
  const j = buckets.findIndex((bound) => bound >= p99);
  if (j < 0) {
    const cdf = buckets.map(() => 0.98);
    return { cdf, mean: (buckets[buckets.length - 1] as number) * 1.5 };
  }
  const hi = buckets[j] as number;
  const lo = j === 0 ? 0 : (buckets[j - 1] as number);
  const f = Math.min(1, Math.max(0, (p99 - lo) / (hi - lo)));
  const mass = 0.009;
  const atLo = 0.99 - f * mass;
  const cdf = buckets.map((_, i) => (i < j ? atLo : i === j ? atLo + mass : 1));
  const fast = buckets[Math.max(0, j - 1)] as number;
  return { cdf, mean: atLo * fast * 0.5 + (1 - atLo) * p99 };
}

function round(value: number): number {
  return Math.floor(value * 1000) / 1000;
}
