import {
  applyOverrides,
  type EntityResult,
  type Evaluation,
  type Invariant,
  isUnknownEvaluation,
} from "@operator/core";
import { describe, expect, it } from "vitest";
import {
  highLatency,
  leaderDrop,
  lowDiskSpace,
  type MetricInvariant,
  raftstoreCpu,
  writeStall,
} from "../../src/invariants/index.ts";
import type { TikvObservation } from "../../src/observation.ts";
import { observation, reading, recordedReading, recordedStores } from "../helpers/observations.ts";

function byStore(evaluation: Evaluation): Map<string, EntityResult> {
  if (isUnknownEvaluation(evaluation))
    throw new Error(`unexpected unknown evaluation: ${evaluation.unknown}`);
  return new Map(evaluation.map((result) => [result.entity, result]));
}

function run(
  invariant: Invariant<TikvObservation>,
  metrics: TikvObservation["metrics"],
  obs = observation({ metrics }),
) {
  return invariant.evaluate(obs, invariant.defaults);
}

const RECORDINGS: Array<[MetricInvariant, string]> = [
  [highLatency, "grpc-p99"],
  [lowDiskSpace, "store-size"],
  [raftstoreCpu, "raftstore-cpu"],
  [writeStall, "write-stall"],
  [leaderDrop, "leader-delta"],
];

describe.each(RECORDINGS)("%s: what every metric invariant shares", (invariant, recording) => {
  const [metric = ""] = Object.keys(
    invariant.queries({
      windows: { rateWindow: "1m", leaderDropWindow: "30s" },
      settings: invariant.defaults,
    }),
  );
  const recorded = recordedReading(recording);

  it("is unknown for Disconnected and Down stores, and leaves TiFlash out", () => {
    const results = byStore(run(invariant, { [metric]: recorded }));
    expect(results.get("4")).toMatchObject({
      outcome: "unknown",
      reason: "Store 4 is Disconnected in PD; its metrics are not judged",
    });
    expect(results.get("5")).toMatchObject({
      outcome: "unknown",
      reason: "Store 5 is Down in PD; its metrics are not judged",
    });
    expect(results.has("7")).toBe(false);
  });

  it("joins the wildcard status address through the store's host (store 8)", () => {
    expect(byStore(run(invariant, { [metric]: recorded })).get("8")?.outcome).not.toBe("unknown");
  });

  it("a store without a sample is unknown, naming the instance", () => {
    const without1 = {
      ...recorded,
      samples:
        "samples" in recorded ? recorded.samples.filter((s) => s.labels.instance !== "10.0.1.1:20180") : [],
    };
    expect(byStore(run(invariant, { [metric]: without1 })).get("1")).toEqual({
      entity: "1",
      outcome: "unknown",
      reason: `No ${metric} sample for store 1 (instance "10.0.1.1:20180")`,
    });
  });

  it("an empty answer makes every running store unknown, never ok", () => {
    const results = byStore(
      run(invariant, { [metric]: { query: recorded.query, samples: [], warnings: [] } }),
    );
    expect([...results.values()].every((result) => result.outcome === "unknown")).toBe(true);
  });

  it("a failed query makes the whole invariant unknown", () => {
    const failed = {
      query: recorded.query,
      error: {
        reason: "unreachable" as const,
        message: "[operator] [tikv] Prometheus request could not connect",
      },
    };
    expect(run(invariant, { [metric]: failed })).toEqual({
      unknown: "Prometheus query failed: [operator] [tikv] Prometheus request could not connect",
    });
  });

  it("without a reading at all it is unknown", () => {
    const evaluation = run(invariant, {});
    expect(isUnknownEvaluation(evaluation) && evaluation.unknown).toMatch(/^No Prometheus reading for /);
  });
});

describe("high_latency", () => {
  const results = byStore(run(highLatency, { grpcP99: recordedReading("grpc-p99") }));

  it("flags a p99 above 100 ms with the values behind it", () => {
    expect(results.get("1")).toEqual({
      entity: "1",
      outcome: "violated",
      message: "Store 1 (10.0.1.1:20160) gRPC p99 is 250 ms (threshold 100 ms)",
      values: {
        store_id: "1",
        address: "10.0.1.1:20160",
        instance: "10.0.1.1:20180",
        state_name: "Up",
        p99Seconds: 0.25,
        thresholdSeconds: 0.1,
        query: recordedReading("grpc-p99").query,
      },
    });
  });

  it("a store with no requests (NaN) holds; a fast one holds", () => {
    expect(results.get("6")).toEqual({ entity: "6", outcome: "ok" });
    expect(results.get("8")).toEqual({ entity: "8", outcome: "ok" });
  });

  it("a p99 in the +Inf bucket is violated", () => {
    const inf = byStore(
      run(highLatency, { grpcP99: reading("q", { "10.0.1.1:20180": Number.POSITIVE_INFINITY }) }),
    );
    expect(inf.get("1")).toMatchObject({ outcome: "violated", values: { p99Seconds: "+Inf" } });
  });

  it("follows an overridden threshold and has a 60 s grace period", () => {
    const [lenient = highLatency] = applyOverrides(
      [highLatency],
      { high_latency: { thresholds: { p99Seconds: 0.5 } } },
      "prod",
    );
    expect(
      byStore(
        lenient.evaluate(
          observation({ metrics: { grpcP99: recordedReading("grpc-p99") } }),
          lenient.defaults,
        ),
      ).get("1")?.outcome,
    ).toBe("ok");
    expect(highLatency.defaults.forMs).toBe(60_000);
  });
});

describe("low_disk_space", () => {
  const results = byStore(run(lowDiskSpace, { storeSize: recordedReading("store-size") }));

  it("flags a store above 70 % used, counting what the disk has left", () => {
    expect(results.get("8")).toMatchObject({
      outcome: "violated",
      message: "Store 8 (10.0.1.8:20160) disk is 80.0% used (400GiB of 500GiB; threshold 70.0%)",
      values: {
        usedRatio: 0.8,
        thresholdRatio: 0.7,
        capacityBytes: 536870912000,
        availableBytes: 107374182400,
        usedBytes: 322122547200,
        pd: { capacityBytes: Math.round(1.967 * 1024 ** 4), availableBytes: 1.5 * 1024 ** 4 },
      },
    });
  });

  it("holds below the threshold", () => {
    expect(results.get("1")).toEqual({ entity: "1", outcome: "ok" });
    expect(results.get("6")).toEqual({ entity: "6", outcome: "ok" });
  });

  it("uses TiKV's used size when it is the larger share", () => {
    const capacity = 1000;
    const samples = reading("q", { "10.0.1.1:20180": capacity }, { type: "capacity" });
    const used = reading("q", { "10.0.1.1:20180": 900 }, { type: "used" });
    const merged = {
      query: "q",
      warnings: [],
      samples: [...("samples" in samples ? samples.samples : []), ...("samples" in used ? used.samples : [])],
    };
    expect(byStore(run(lowDiskSpace, { storeSize: merged })).get("1")).toMatchObject({
      outcome: "violated",
      values: { usedRatio: 0.9, availableBytes: null },
    });
  });

  it("a zero capacity is unknown, not a division by zero", () => {
    const zero = reading("q", { "10.0.1.1:20180": 0 }, { type: "capacity" });
    expect(byStore(run(lowDiskSpace, { storeSize: zero })).get("1")?.outcome).toBe("unknown");
  });
});

describe("raftstore_cpu, write_stall, leader_drop", () => {
  it("raftstore_cpu flags more than 1.6 cores", () => {
    const results = byStore(run(raftstoreCpu, { raftstoreCpu: recordedReading("raftstore-cpu") }));
    expect(results.get("8")).toMatchObject({
      outcome: "violated",
      values: { cores: 1.93, thresholdCores: 1.6 },
    });
    expect(results.get("1")?.outcome).toBe("ok");
    expect(raftstoreCpu.defaults).toMatchObject({ severity: "critical", forMs: 60_000 });
  });

  it("write_stall flags any stalled time", () => {
    const results = byStore(run(writeStall, { writeStall: recordedReading("write-stall") }));
    expect(results.get("8")).toMatchObject({
      outcome: "violated",
      message: "Store 8 (10.0.1.8:20160) writes are stalled 2.0% of the time",
      values: { stallFraction: 0.02, thresholdFraction: 0 },
    });
    expect(results.get("1")?.outcome).toBe("ok");
  });

  it("leader_drop flags a drop of more than 10 leaders, at once, and leaves Offline stores out", () => {
    const results = byStore(run(leaderDrop, { leaderDelta: recordedReading("leader-delta") }));
    expect(results.get("1")).toMatchObject({
      outcome: "violated",
      message: "Store 1 (10.0.1.1:20160) lost 48 leaders (threshold 10); 16 left per PD",
      values: { leaderDelta: -48, thresholdLeaders: 10, pdLeaderCount: 16 },
    });
    expect(results.has("6")).toBe(false);
    expect(results.get("8")?.outcome).toBe("ok");
    expect(leaderDrop.defaults.forMs).toBe(0);
  });

  it("Offline stores are judged by the other metric invariants", () => {
    const stores = recordedStores();
    expect(stores.find((store) => store.id === "6")?.stateName).toBe("Offline");
    expect(
      byStore(run(raftstoreCpu, { raftstoreCpu: recordedReading("raftstore-cpu") })).get("6")?.outcome,
    ).toBe("ok");
  });
});
