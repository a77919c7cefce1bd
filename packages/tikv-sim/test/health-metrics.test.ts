import { describe, expect, it } from "vitest";
import { parseFaultArgs, parseFaultCommand } from "../src/control.ts";
import { cdfFor, exponentialBuckets } from "../src/metrics/designed-histogram.ts";
import { type ProcessProfile, type StoreFigures, StoreMetrics } from "../src/metrics/store-metrics.ts";
import { healthyFaults } from "../src/model/store.ts";

const PROFILE: ProcessProfile = {
  storeId: 3,
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

/** Prometheus's histogram_quantile over cumulative fractions (linear inside a bucket). */
function interpolate(q: number, buckets: readonly number[], cdf: readonly number[]): number {
  const i = cdf.findIndex((c) => c >= q);
  if (i < 0) return Number.POSITIVE_INFINITY;
  const lo = i === 0 ? 0 : (buckets[i - 1] as number);
  const below = i === 0 ? 0 : (cdf[i - 1] as number);
  return lo + (((buckets[i] as number) - lo) * (q - below)) / ((cdf[i] as number) - below);
}

describe("cdfFor", () => {
  const seconds = exponentialBuckets(0.0005, 4, 9);
  it.each([
    [0.99, 1.6],
    [0.99, 0.003],
    [0.999, 3],
    [0.9999, 15],
    [0.99, 0.4],
  ])("puts the interpolated %f quantile on %f", (q, target) => {
    expect(interpolate(q, seconds, cdfFor(seconds, q, target))).toBeCloseTo(target, 9);
  });

  it("puts a value beyond the last bound in +Inf", () => {
    expect(cdfFor([1, 2], 0.99, 5)).toEqual([0, 0]);
  });
});

describe("StoreMetrics: the families behind the other official rules", () => {
  it("renders valid exposition; first-event counters are absent until their first event", () => {
    const metrics = new StoreMetrics(PROFILE, T0, T0 - 60_000);
    const before = parse(metrics.render(T0, FIGURES));
    expect(before.has('tikv_raftstore_append_log_duration_seconds_bucket{le="+Inf"}')).toBe(true);
    expect(before.has('tikv_storage_engine_async_request_duration_seconds_count{type="snapshot"}')).toBe(
      true,
    );
    expect(before.get('tikv_gcworker_gc_tasks_vec{task="gc"}')).toBeGreaterThan(0);
    expect([...before.keys()].some((k) => k.startsWith("tikv_critical_error_total"))).toBe(false);
    expect([...before.keys()].some((k) => k.startsWith("tikv_channel_full_total"))).toBe(false);

    const health = {
      ...healthyFaults(1),
      channelFull: true,
      unreachable: new Map([[5, 20]]),
      schedulerPending: 2400,
    };
    metrics.setHealth(T0, health);
    metrics.setProcess(T0, 14 * 1024 ** 3, 7);
    const after = parse(metrics.render(T0 + 2_000, FIGURES));
    expect(after.get('tikv_critical_error_total{type="sst_corruption"}')).toBe(1);
    expect(after.get('tikv_channel_full_total{type="raftstore"}')).toBe(10);
    expect(after.get('tikv_server_report_failure_msg_total{store_id="5",type="unreachable"}')).toBe(41);
    expect(after.get("tikv_scheduler_contex_total")).toBe(2400);
    expect(after.get("process_resident_memory_bytes")).toBe(14 * 1024 ** 3);
  });

  it("moves a stage's quantile and stops GC without letting a counter go back", () => {
    const metrics = new StoreMetrics(PROFILE, T0, T0 - 60_000);
    const a = parse(metrics.render(T0, FIGURES));
    metrics.setHealth(T0, { ...healthyFaults(), gcStuck: true, stages: new Map([["apply", 1.6]]) });
    const b = parse(metrics.render(T0 + 10_000, FIGURES));
    const c = parse(metrics.render(T0 + 20_000, FIGURES));
    for (const [key, value] of b)
      if (/_bucket|_count|_total|_vec|_perform/.test(key))
        expect(value, key).toBeGreaterThanOrEqual(a.get(key) ?? 0);
    expect(c.get('tikv_gcworker_gc_tasks_vec{task="gc"}')).toBe(
      b.get('tikv_gcworker_gc_tasks_vec{task="gc"}'),
    );
    const buckets = exponentialBuckets(0.0005, 4, 9);
    const total =
      (c.get("tikv_raftstore_apply_log_duration_seconds_count") ?? 0) -
      (b.get("tikv_raftstore_apply_log_duration_seconds_count") ?? 0);
    const cdf = buckets.map((bound) => {
      const key = `tikv_raftstore_apply_log_duration_seconds_bucket{le="${bound}"}`;
      return ((c.get(key) ?? 0) - (b.get(key) ?? 0)) / total;
    });
    expect(interpolate(0.99, buckets, cdf)).toBeCloseTo(1.6, 2);
  });
});

describe("fault commands", () => {
  it("parses the new faults from CLI words and refuses bad ones with one message", () => {
    expect(parseFaultArgs(["slow-stage", "2", "apply", "1.5"])).toEqual({
      fault: "slow-stage",
      store: 2,
      stage: "apply",
      seconds: 1.5,
    });
    expect(parseFaultArgs(["pending", "2", "scheduler", "off"])).toEqual({
      fault: "pending",
      store: 2,
      queue: "scheduler",
      count: null,
    });
    expect(parseFaultArgs(["critical-error", "4"])).toEqual({ fault: "critical-error", store: 4, count: 1 });
    expect(parseFaultArgs(["gc-stuck", "on"])).toEqual({ fault: "gc-stuck", on: true });
    expect(() => parseFaultCommand({ fault: "slow-stage", store: 2, stage: "warp", seconds: 1 })).toThrow(
      /needs `stage` in async-write/,
    );
    expect(() => parseFaultArgs(["channel-full", "2", "maybe"])).toThrow(
      "Fault channel-full needs `on` true or false",
    );
  });
});
