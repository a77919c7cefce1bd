/**
 * Latency distributions for `tikv_grpc_msg_duration_seconds`, shaped so that Prometheus's
 * `histogram_quantile(0.99, rate(..._bucket[w]))` (linear interpolation inside a bucket) lands on the
 * p99 the simulator intends, whatever the window, as long as the window lies inside one regime.
 */

/** TiKV's gRPC buckets: `exponential_buckets(5e-5, 2, 22)`, 0.00005 .. 104.8576 s. */
export const GRPC_BUCKETS: readonly number[] = Array.from({ length: 22 }, (_, i) => 0.00005 * 2 ** i);

/** The `le` label values as TiKV writes them (Rust `f64::to_string`). */
export const GRPC_BUCKET_LABELS: readonly string[] = GRPC_BUCKETS.map((b) => rustFloat(b));

/** Smallest and largest p99 the histogram can express. */
export const MIN_P99_SECONDS = 0.0001;
export const MAX_P99_SECONDS = 100;

/** A latency distribution: the cumulative fraction at each bucket bound, and its mean in seconds. */
export interface LatencyDistribution {
  readonly cdf: readonly number[];
  readonly meanSeconds: number;
}

/**
 * Builds a distribution whose interpolated 0.99 quantile is exactly `p99` seconds. Below the p99 bucket
 * the mass halves per bucket going down (a long-ish body); above it the tail ends within two buckets.
 */
export function distributionForP99(p99: number): LatencyDistribution {
  const p = Math.min(Math.max(p99, MIN_P99_SECONDS), MAX_P99_SECONDS);
  const j = GRPC_BUCKETS.findIndex((b) => b >= p);
  const hi = GRPC_BUCKETS[j] as number;
  const lo = j === 0 ? 0 : (GRPC_BUCKETS[j - 1] as number);
  const f = (p - lo) / (hi - lo);
  const d = f >= 1 ? 0.04 : Math.min(0.04, (0.005 * f) / (1 - f));
  const atLo = 0.99 - d;
  const atHi = atLo + d / f;
  const cdf = new Array<number>(GRPC_BUCKETS.length).fill(1);
  cdf[j] = Math.min(atHi, 1);
  if (j + 1 < cdf.length) cdf[j + 1] = Math.min(1, 1 - (1 - (cdf[j] as number)) * 0.2);
  let below = atLo;
  for (let i = j - 1; i >= 0; i--) {
    cdf[i] = below;
    below *= i === j - 1 ? 0.55 : 0.35;
  }
  return { cdf, meanSeconds: meanOf(cdf) };
}

/**
 * The 0.99 quantile Prometheus would compute from these cumulative fractions (the same linear
 * interpolation as `histogram_quantile`), for unit tests.
 */
export function interpolatedQuantile(q: number, cdf: readonly number[]): number {
  for (let i = 0; i < cdf.length; i++) {
    const c = cdf[i] as number;
    if (c >= q) {
      const prev = i === 0 ? 0 : (cdf[i - 1] as number);
      const lo = i === 0 ? 0 : (GRPC_BUCKETS[i - 1] as number);
      const hi = GRPC_BUCKETS[i] as number;
      return lo + ((hi - lo) * (q - prev)) / (c - prev);
    }
  }
  return GRPC_BUCKETS[GRPC_BUCKETS.length - 1] as number;
}

// --- Internal helpers ---

function meanOf(cdf: readonly number[]): number {
  let mean = 0;
  let prev = 0;
  for (let i = 0; i < cdf.length; i++) {
    const lo = i === 0 ? 0 : (GRPC_BUCKETS[i - 1] as number);
    const hi = GRPC_BUCKETS[i] as number;
    mean += ((cdf[i] as number) - prev) * ((lo + hi) / 2);
    prev = cdf[i] as number;
  }
  return mean;
}

/** Rust's `f64` Display: plain decimal, never exponent notation. */
function rustFloat(x: number): string {
  const text = String(x);
  if (!text.includes("e")) return text;
  return x.toFixed(20).replace(/\.?0+$/, "");
}
