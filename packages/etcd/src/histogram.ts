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

/**
 * Reads a labelled histogram `name` summed per group: `groupOf` names the group of a series from its
 * labels (`undefined` leaves the series out), and the buckets of one group are added per bound, as
 * `sum by (group, le)` does. Groups without a `+Inf` bucket are left out.
 */
export function histogramsBy(
  exposition: Exposition,
  name: string,
  groupOf: (labels: Readonly<Record<string, string>>) => string | undefined,
): Map<string, Histogram> {
  const groups = new Map<string, { buckets: Map<number, number>; count: number; sum: number }>();
  const groupFor = (labels: Readonly<Record<string, string>>) => {
    const group = groupOf(labels);
    if (group === undefined) return undefined;
    let entry = groups.get(group);
    if (!entry) {
      entry = { buckets: new Map(), count: 0, sum: 0 };
      groups.set(group, entry);
    }
    return entry;
  };
  for (const sample of samplesOf(exposition, `${name}_bucket`)) {
    const le =
      sample.labels.le === undefined ? Number.NaN : Number(sample.labels.le.replace("Inf", "Infinity"));
    if (Number.isNaN(le)) continue;
    const entry = groupFor(sample.labels);
    if (entry) entry.buckets.set(le, (entry.buckets.get(le) ?? 0) + sample.value);
  }
  for (const sample of samplesOf(exposition, `${name}_count`)) {
    const entry = groupFor(sample.labels);
    if (entry) entry.count += sample.value;
  }
  for (const sample of samplesOf(exposition, `${name}_sum`)) {
    const entry = groupFor(sample.labels);
    if (entry) entry.sum += sample.value;
  }
  const out = new Map<string, Histogram>();
  for (const [group, entry] of groups) {
    const buckets = [...entry.buckets].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
    const last = buckets.at(-1);
    if (!last || last.le !== Number.POSITIVE_INFINITY) continue;
    out.set(group, { buckets, count: entry.count || last.count, sum: entry.sum });
  }
  return out;
}
