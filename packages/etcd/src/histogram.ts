import { type Exposition, samplesOf } from "./exposition.ts";

/** One cumulative bucket: how many observations were at most `le`. */
export interface Bucket {
  readonly le: number;
  readonly count: number;
}

/** A histogram as exposed: cumulative buckets sorted by bound (the last is `+Inf`), count and sum. */
export interface Histogram {
  readonly buckets: readonly Bucket[];
  readonly count: number;
  readonly sum: number;
}

/**
 * Reads histogram `name` (its `_bucket`, `_count` and `_sum` series) from an exposition; `undefined`
 * when it has no buckets or no `+Inf` bucket.
 */
export function histogramOf(exposition: Exposition, name: string): Histogram | undefined {
  const buckets: Bucket[] = [];
  for (const sample of samplesOf(exposition, `${name}_bucket`)) {
    const le =
      sample.labels.le === undefined ? Number.NaN : Number(sample.labels.le.replace("Inf", "Infinity"));
    if (Number.isNaN(le)) continue;
    buckets.push({ le, count: sample.value });
  }
  buckets.sort((a, b) => a.le - b.le);
  const last = buckets.at(-1);
  if (!last || last.le !== Number.POSITIVE_INFINITY) return undefined;
  const count = samplesOf(exposition, `${name}_count`)[0]?.value ?? last.count;
  const sum = samplesOf(exposition, `${name}_sum`)[0]?.value ?? Number.NaN;
  return { buckets, count, sum };
}

/**
 * What happened between two readings of the same histogram: per-bucket increases. `undefined` when
 * the bucket layouts differ or any count went down (the process restarted: a counter reset).
 */
export function histogramDelta(previous: Histogram, current: Histogram): Histogram | undefined {
  if (previous.buckets.length !== current.buckets.length) return undefined;
  const buckets: Bucket[] = [];
  for (let index = 0; index < current.buckets.length; index++) {
    const before = previous.buckets[index] as Bucket;
    const after = current.buckets[index] as Bucket;
    if (before.le !== after.le || after.count < before.count) return undefined;
    buckets.push({ le: after.le, count: after.count - before.count });
  }
  if (current.count < previous.count) return undefined;
  return { buckets, count: current.count - previous.count, sum: current.sum - previous.sum };
}

/**
 * The `q` quantile of cumulative buckets, interpolated linearly inside the bucket it falls in, as
 * Prometheus's `histogram_quantile` does: a quantile in the `+Inf` bucket is the largest finite bound,
 * and the first bucket's lower bound is 0. `undefined` when there are no observations.
 */
export function bucketQuantile(q: number, buckets: readonly Bucket[]): number | undefined {
  const total = buckets.at(-1)?.count ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const bucket of buckets) {
    if (bucket.count >= rank) {
      if (bucket.le === Number.POSITIVE_INFINITY) return lowerBound;
      const inBucket = bucket.count - lowerCount;
      if (inBucket <= 0) return bucket.le;
      return lowerBound + (bucket.le - lowerBound) * ((rank - lowerCount) / inBucket);
    }
    lowerBound = bucket.le;
    lowerCount = bucket.count;
  }
  return lowerBound;
}
