import { distributionForP99, GRPC_BUCKET_LABELS, type LatencyDistribution } from "./latency.ts";

/**
 * gRPC message types the simulator serves: a representative subset of TiKV's static label set, kept
 * small because every type costs 25 series per store (1,000 stores must stay cheap to scrape).
 */
export const GRPC_TYPES = [
  "kv_get",
  "kv_batch_get",
  "kv_prewrite",
  "kv_commit",
  "coprocessor",
  "kv_gc",
] as const;

/** Share of each type in the request mix (kv_gc is a rare, slow background request). */
const TYPE_SHARE: Record<(typeof GRPC_TYPES)[number], number> = {
  kv_get: 0.35,
  kv_batch_get: 0.1,
  kv_prewrite: 0.15,
  kv_commit: 0.15,
  coprocessor: 0.25,
  kv_gc: 0,
};

/** kv_gc runs about once a minute and takes around a second: the reason queries exclude it. */
const GC_RATE = 1 / 60;
const GC_DISTRIBUTION = distributionForP99(1.5);

const NAME = "tikv_grpc_msg_duration_seconds";
const HEADER = `# HELP ${NAME} Bucketed histogram of grpc server messages\n# TYPE ${NAME} histogram\n`;
const PREFIXES = GRPC_TYPES.map((type) => ({
  buckets: GRPC_BUCKET_LABELS.map((le) => `${NAME}_bucket{priority="unknown",type="${type}",le="${le}"} `),
  inf: `${NAME}_bucket{priority="unknown",type="${type}",le="+Inf"} `,
  sum: `${NAME}_sum{priority="unknown",type="${type}"} `,
  count: `${NAME}_count{priority="unknown",type="${type}"} `,
}));

/**
 * The cumulative state of `tikv_grpc_msg_duration_seconds` for one TiKV process. Buckets grow at
 * `rate x cdf(le)` per real second; a new target p99 folds what accrued and changes the shape from
 * then on, so `histogram_quantile(0.99, rate(...[w]))` reaches the target once `w` has passed.
 */
export class GrpcHistogram {
  readonly #rates: number[];
  readonly #buckets: Float64Array[];
  readonly #sums: Float64Array;
  readonly #counts: Float64Array;
  #distribution: LatencyDistribution;
  #since: number;

  /** @param requestsPerSecond total foreground rate; @param initialSeconds uptime already accrued. */
  constructor(nowMs: number, requestsPerSecond: number, p99Seconds: number, initialSeconds: number) {
    this.#rates = GRPC_TYPES.map((t) => (t === "kv_gc" ? GC_RATE : requestsPerSecond * TYPE_SHARE[t]));
    this.#buckets = GRPC_TYPES.map(() => new Float64Array(GRPC_BUCKET_LABELS.length));
    this.#sums = new Float64Array(GRPC_TYPES.length);
    this.#counts = new Float64Array(GRPC_TYPES.length);
    this.#distribution = distributionForP99(p99Seconds);
    this.#since = nowMs - initialSeconds * 1000;
    this.#fold(nowMs);
  }

  /** Changes the latency distribution of the foreground types from `nowMs` on. */
  setP99(nowMs: number, p99Seconds: number): void {
    this.#fold(nowMs);
    this.#distribution = distributionForP99(p99Seconds);
  }

  /** Appends the family's exposition text at real time `nowMs`. */
  render(nowMs: number, out: string[]): void {
    const dt = Math.max(0, nowMs - this.#since) / 1000;
    out.push(HEADER);
    for (let t = 0; t < GRPC_TYPES.length; t++) {
      const prefix = PREFIXES[t] as (typeof PREFIXES)[number];
      const dist = this.#distFor(t);
      const added = (this.#rates[t] as number) * dt;
      const base = this.#buckets[t] as Float64Array;
      let last = Number.NaN;
      let text = "";
      for (let i = 0; i < base.length; i++) {
        const value = Math.floor(((base[i] as number) + added * (dist.cdf[i] as number)) * 1000) / 1000;
        if (value !== last) {
          last = value;
          text = String(value);
        }
        out.push(prefix.buckets[i] as string, text, "\n");
      }
      const count = formatCount((this.#counts[t] as number) + added);
      out.push(prefix.inf, count, "\n");
      out.push(prefix.sum, formatSum((this.#sums[t] as number) + added * dist.meanSeconds), "\n");
      out.push(prefix.count, count, "\n");
    }
  }

  #distFor(typeIndex: number): LatencyDistribution {
    return GRPC_TYPES[typeIndex] === "kv_gc" ? GC_DISTRIBUTION : this.#distribution;
  }

  #fold(nowMs: number): void {
    const dt = Math.max(0, nowMs - this.#since) / 1000;
    for (let t = 0; t < GRPC_TYPES.length; t++) {
      const dist = this.#distFor(t);
      const added = (this.#rates[t] as number) * dt;
      const base = this.#buckets[t] as Float64Array;
      for (let i = 0; i < base.length; i++) base[i] = (base[i] as number) + added * (dist.cdf[i] as number);
      this.#sums[t] = (this.#sums[t] as number) + added * dist.meanSeconds;
      this.#counts[t] = (this.#counts[t] as number) + added;
    }
    this.#since = Math.max(this.#since, nowMs);
  }
}

/**
 * Counts keep three decimals rather than being floored to integers: with integer counts the
 * per-bucket rounding over a 10 s window moves the interpolated p99 by several percent.
 */
function formatCount(value: number): string {
  return String(Math.floor(value * 1000) / 1000);
}

function formatSum(value: number): string {
  return String(Math.round(value * 1e6) / 1e6);
}
