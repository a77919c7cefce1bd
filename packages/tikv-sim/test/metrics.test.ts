import { describe, expect, it } from "vitest";
import { distributionForP99, GRPC_BUCKETS, interpolatedQuantile } from "../src/metrics/latency.ts";
import { type ProcessProfile, type StoreFigures, StoreMetrics } from "../src/metrics/store-metrics.ts";

const PROFILE: ProcessProfile = {
  storeId: 1234,
  requestsPerSecond: 400,
  p99Seconds: 0.008,
  raftstoreCores: 0.2,
  residentBytes: 6 * 1024 ** 3,
  cpuQuota: 8,
  memoryQuotaBytes: 16 * 1024 ** 3,
};
const FIGURES: StoreFigures = {
  capacityBytes: 1000,
  availableBytes: 600,
  usedBytes: 400,
  regionCount: 30,
  leaderCount: 10,
};
const T0 = 1_700_000_000_000;

/** Parses text format 0.0.4 into series -> value, checking every line is a comment or a sample. */
function parse(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
    expect(match, `bad exposition line: ${line}`).not.toBeNull();
    series.set(match?.[1] as string, Number(match?.[2]));
  }
  return series;
}

/** The interpolated quantile of the foreground buckets' increase between two renders. */
function windowQuantile(before: Map<string, number>, after: Map<string, number>): number {
  const sum = (m: Map<string, number>, le: string): number =>
    [...m]
      .filter(
        ([k]) =>
          k.startsWith("tikv_grpc_msg_duration_seconds_bucket{") &&
          !k.includes("kv_gc") &&
          k.endsWith(`le="${le}"}`),
      )
      .reduce((s, [, v]) => s + v, 0);
  const total = sum(after, "+Inf") - sum(before, "+Inf");
  const cdf = GRPC_BUCKETS.map((b) => (sum(after, String(b)) - sum(before, String(b))) / total);
  return interpolatedQuantile(0.99, cdf);
}

describe("distributionForP99", () => {
  it.each([0.0003, 0.004, 0.0123, 0.25, 0.4097, 0.5, 0.8192, 1.7, 30])(
    "puts the interpolated p99 at %f s",
    (p99) => {
      const { cdf, meanSeconds } = distributionForP99(p99);
      expect(interpolatedQuantile(0.99, cdf)).toBeCloseTo(p99, 9);
      for (let i = 1; i < cdf.length; i++) expect(cdf[i]).toBeGreaterThanOrEqual(cdf[i - 1] as number);
      expect(cdf.at(-1)).toBeLessThanOrEqual(1);
      expect(meanSeconds).toBeLessThan(p99);
    },
  );

  it("writes TiKV's bucket bounds as Rust prints them", () => {
    expect(GRPC_BUCKETS).toHaveLength(22);
    expect(String(GRPC_BUCKETS[0])).toBe("0.00005");
    expect(String(GRPC_BUCKETS[21])).toBe("104.8576");
  });
});

describe("StoreMetrics", () => {
  it("renders valid exposition lines with the families the invariants read", () => {
    const text = new StoreMetrics(PROFILE, T0, T0 - 3_600_000).render(T0, FIGURES);
    const series = parse(text);
    expect(text).toContain("# TYPE tikv_grpc_msg_duration_seconds histogram\n");
    expect(text).toContain("# TYPE tikv_thread_cpu_seconds_total gauge\n");
    expect(series.get('tikv_store_size_bytes{type="available"}')).toBe(600);
    expect(series.get('tikv_raftstore_region_count{type="leader"}')).toBe(10);
    expect(series.get("process_start_time_seconds")).toBe((T0 - 3_600_000) / 1000);
    expect(series.get("process_cpu_seconds_total")).toBeGreaterThan(3600 * 0.2);
    expect(
      series.has('tikv_grpc_msg_duration_seconds_bucket{priority="unknown",type="kv_gc",le="+Inf"}'),
    ).toBe(true);
  });

  it("cuts raftstore thread names to Linux's 15 characters, as TiKV reports them", () => {
    const series = parse(new StoreMetrics(PROFILE, T0, T0).render(T0, FIGURES));
    const names = [...series.keys()].filter((k) =>
      k.startsWith('tikv_thread_cpu_seconds_total{name="raftstore'),
    );
    expect(names).toEqual([
      'tikv_thread_cpu_seconds_total{name="raftstore_1234_",tid="1000"}',
      'tikv_thread_cpu_seconds_total{name="raftstore_1234_",tid="1001"}',
    ]);
  });

  it("never lets a counter go backwards, across a latency and CPU change", () => {
    const metrics = new StoreMetrics(PROFILE, T0, T0 - 60_000);
    let previous = parse(metrics.render(T0, FIGURES));
    for (let step = 1; step <= 20; step++) {
      const now = T0 + step * 1_500;
      if (step === 7) metrics.setP99(now, 2);
      if (step === 9) metrics.setRaftstoreCores(now, 3);
      if (step === 14) metrics.setP99(now, null);
      const current = parse(metrics.render(now, FIGURES));
      for (const [key, value] of current) {
        if (/_bucket|_sum|_count|_total/.test(key))
          expect(value, key).toBeGreaterThanOrEqual(previous.get(key) as number);
      }
      previous = current;
    }
  });

  it("gives the intended p99 over any window inside one regime", () => {
    const metrics = new StoreMetrics(PROFILE, T0, T0 - 60_000);
    metrics.setP99(T0, 0.5);
    for (const [from, to] of [
      [1_000, 11_000],
      [3_700, 13_700],
      [5_000, 65_000],
    ] as const) {
      const before = parse(metrics.render(T0 + from, FIGURES));
      const after = parse(metrics.render(T0 + to, FIGURES));
      expect(windowQuantile(before, after)).toBeCloseTo(0.5, 3);
    }
  });

  it("makes write-stall gauges grow while stalled and L0 average pass 80", () => {
    const metrics = new StoreMetrics(PROFILE, T0, T0);
    metrics.setWriteStall(T0, true);
    const a = parse(metrics.render(T0 + 1_000, FIGURES));
    const b = parse(metrics.render(T0 + 5_000, FIGURES));
    const key = 'tikv_engine_write_stall{db="kv",type="write_stall_max"}';
    expect(b.get(key)).toBeGreaterThan(a.get(key) as number);
    expect(b.get('tikv_scheduler_l0_avg{cf="write"}')).toBeGreaterThan(80);
    metrics.setWriteStall(T0 + 5_000, false);
    expect(parse(metrics.render(T0 + 6_000, FIGURES)).get(key)).toBe(0);
  });
});
