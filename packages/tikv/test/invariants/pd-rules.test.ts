import { applyOverrides, type EntityResult, type Invariant, isUnknownEvaluation } from "@operator/core";
import { describe, expect, it } from "vitest";
import {
  pdClockSlow,
  pdCpuQuota,
  pdEtcdPeerLatency,
  pdEtcdQuota,
  pdEtcdWalFsync,
  pdLeaderChanges,
  pdMemberHealth,
  pdMemoryQuota,
  pendingPeers,
  slowStore,
  storeLowSpace,
} from "../../src/invariants/pd-invariants.ts";
import { decode } from "../../src/json.ts";
import type { TikvObservation } from "../../src/observation.ts";
import { summarizeRegions } from "../../src/observe.ts";
import { memberHealthResponse, membersResponse, type PdMemberHealthEntry } from "../../src/pd-api-schemas.ts";
import {
  buildPdQueries,
  type LeaderHistory,
  type PdApiObservation,
  recordLeader,
} from "../../src/pd-health.ts";
import { fixture } from "../helpers/fixtures.ts";
import {
  observation,
  RECORDED_AT,
  reading,
  recordedReading,
  recordedStores,
} from "../helpers/observations.ts";

/** The three-member PD of fixtures/pd-members.json and pd-health-members.json (pd-2 unhealthy). */
function recordedPd(patch: Partial<PdApiObservation> = {}): PdApiObservation {
  const members = decode(membersResponse, fixture("pd-members.json"), "pd", "/pd/api/v1/members");
  return {
    health: decode(memberHealthResponse, fixture("pd-health-members.json"), "pd", "/pd/api/v1/health"),
    members,
    leaderHistory: {
      since: RECORDED_AT - 60_000,
      readings: 3,
      leader: "pd-1",
      lastLeader: "pd-1",
      changes: [],
    },
    metrics: {
      etcdWalFsyncP99: recordedReading("pd-wal-fsync"),
      etcdPeerRttP99: recordedReading("pd-peer-rtt"),
      tsoSystemTimeSlow: recordedReading("pd-clock"),
      tsoSaves: recordedReading("pd-tso-saves"),
      cpuQuota: recordedReading("pd-cpu-quota"),
      memoryQuota: recordedReading("pd-memory-quota"),
      etcdDbQuota: recordedReading("pd-etcd-quota"),
    },
    ...patch,
  };
}

function run(invariant: Invariant<TikvObservation>, obs: TikvObservation, settings = invariant.defaults) {
  return invariant.evaluate(obs, settings);
}

function byEntity(invariant: Invariant<TikvObservation>, obs: TikvObservation): Map<string, EntityResult> {
  const evaluation = run(invariant, obs);
  if (isUnknownEvaluation(evaluation)) throw new Error(evaluation.unknown);
  return new Map(evaluation.map((result) => [result.entity, result]));
}

function withStatus(id: string, status: Record<string, unknown>) {
  return recordedStores().map((store) =>
    store.id === id ? { ...store, status: { ...store.status, ...status } } : store,
  );
}

const failure = { error: { reason: "timeout" as const, message: "[operator] [tikv] PD request timed out" } };

describe("every PD rule invariant carries a runbook hint", () => {
  it.each([
    slowStore,
    storeLowSpace,
    pendingPeers,
    pdMemberHealth,
    pdLeaderChanges,
    pdEtcdWalFsync,
    pdEtcdPeerLatency,
    pdClockSlow,
    pdCpuQuota,
    pdMemoryQuota,
    pdEtcdQuota,
  ])("$name", (invariant) => {
    expect(invariant.runbook?.hint).toMatch(/^Check|^Find/);
    expect(invariant.runbook?.hint.length).toBeLessThan(160);
  });
});

describe("slow_store on the recorded stores", () => {
  it("is ok at PD's normal score 1, unknown for Disconnected/Down, gone for removed, TiFlash left out", () => {
    const results = byEntity(slowStore, observation({ removedStores: ["9"] }));
    expect(results.get("1")).toEqual({ entity: "1", outcome: "ok" });
    expect(results.get("6")).toEqual({ entity: "6", outcome: "ok" });
    expect(results.get("4")).toMatchObject({
      outcome: "unknown",
      reason: expect.stringMatching(/Disconnected/),
    });
    expect(results.get("5")).toMatchObject({ outcome: "unknown" });
    expect(results.get("9")).toMatchObject({
      outcome: "ok",
      gone: expect.stringMatching(/no longer listed/),
    });
    expect(results.has("7")).toBe(false);
  });

  it("flags a store at PD's threshold 80, with the score and the threshold", () => {
    const results = byEntity(slowStore, observation({ stores: withStatus("8", { slowScore: 80 }) }));
    expect(results.get("8")).toMatchObject({
      outcome: "violated",
      message:
        "Store 8 (10.0.1.8:20160) is slow: PD slow score 80 (threshold 80; 1 is normal, 100 the worst)",
      values: { store_id: "8", slowScore: 80, thresholdScore: 80 },
    });
    const just = byEntity(slowStore, observation({ stores: withStatus("8", { slowScore: 79 }) }));
    expect(just.get("8")?.outcome).toBe("ok");
  });

  it("is unknown, never ok, when PD reports no slow_score; the threshold is overridable", () => {
    const results = byEntity(slowStore, observation({ stores: withStatus("1", { slowScore: undefined }) }));
    expect(results.get("1")).toMatchObject({
      outcome: "unknown",
      reason: expect.stringMatching(/no slow_score/),
    });
    const [strict] = applyOverrides([slowStore], { slow_store: { thresholds: { slowScore: 1 } } }, "t");
    const evaluation = run(slowStore, observation(), strict?.defaults);
    expect(
      isUnknownEvaluation(evaluation) ? [] : evaluation.filter((r) => r.outcome === "violated"),
    ).toHaveLength(3);
  });
});

describe("store_low_space on PD's capacity and available", () => {
  it("is ok at 76 % free, unknown for Disconnected/Down stores, judges TiFlash", () => {
    const results = byEntity(storeLowSpace, observation());
    expect(results.get("1")).toEqual({ entity: "1", outcome: "ok" });
    expect(results.get("7")).toEqual({ entity: "7", outcome: "ok" });
    expect(results.get("5")).toMatchObject({ outcome: "unknown", reason: expect.stringMatching(/Down/) });
  });

  it("warns below 20 % available and is critical below 10 %", () => {
    const tib = 1024 ** 4;
    const stores = withStatus("1", { capacityBytes: tib, availableBytes: 0.15 * tib });
    const warn = byEntity(storeLowSpace, observation({ stores })).get("1");
    expect(warn).toMatchObject({
      outcome: "violated",
      message: "Store 1 (10.0.1.1:20160) has 15.0% of its disk available (153.6GiB of 1TiB; threshold 20.0%)",
      values: { availableRatio: 0.15, thresholdRatio: 0.2, capacityBytes: tib },
    });
    expect(warn && "severity" in warn).toBe(false);
    const full = withStatus("1", { capacityBytes: tib, availableBytes: 0.05 * tib });
    expect(byEntity(storeLowSpace, observation({ stores: full })).get("1")).toMatchObject({
      outcome: "violated",
      severity: "critical",
    });
  });

  it("is unknown when PD has no figures yet", () => {
    const stores = withStatus("8", { capacityBytes: 0, availableBytes: 0 });
    expect(byEntity(storeLowSpace, observation({ stores })).get("8")?.outcome).toBe("unknown");
  });
});

describe("pending_peers on PD's pending-peer check", () => {
  function withPending(count: number) {
    const regions = Array.from({ length: count }, (_, i) => ({
      id: String(5000 + i),
      startKey: "",
      endKey: "",
      peers: [],
      leader: undefined,
      downPeers: [],
      pendingPeers: [
        { id: String(9000 + i), storeId: i % 4 === 0 ? "1" : "8", role: "Voter", isWitness: false },
      ],
      approximateSize: 96,
      approximateKeys: 0,
    }));
    return summarizeRegions([
      { type: "down-peer", count: 0, regions: [] },
      { type: "miss-peer", count: 0, regions: [] },
      { type: "pending-peer", count, regions },
      { type: "offline-peer", count: 0, regions: [] },
    ]);
  }

  it("holds at the threshold and names the store with most pending peers above it", () => {
    expect(run(pendingPeers, observation({ regions: withPending(100) }))).toEqual([
      { entity: "cluster", outcome: "ok" },
    ]);
    const [result] = run(pendingPeers, observation({ regions: withPending(120) })) as EntityResult[];
    expect(result).toMatchObject({
      entity: "cluster",
      outcome: "violated",
      message: "PD reports 120 regions with a pending peer (threshold 100); most on store 8 (90)",
      values: { pendingPeerRegions: 120, pendingPeersByStore: { "8": 90, "1": 30 } },
    });
  });

  it("is unknown when the region checks failed", () => {
    expect(run(pendingPeers, observation({ regions: failure }))).toEqual({
      unknown: "PD region checks could not be read: [operator] [tikv] PD request timed out",
    });
  });
});

describe("pd_member_health on PD's /health", () => {
  it("flags the unhealthy member by name; the others are ok", () => {
    const results = byEntity(pdMemberHealth, observation({ pd: recordedPd() }));
    expect(results.get("pd-1")).toEqual({ entity: "pd-1", outcome: "ok" });
    expect(results.get("pd-2")).toEqual({
      entity: "pd-2",
      outcome: "violated",
      message: "PD member pd-2 (http://10.0.1.11:2379) is unhealthy: it did not answer PD's health check",
      values: {
        member: "pd-2",
        memberId: "5765376932405474366",
        clientUrls: ["http://10.0.1.11:2379"],
        unhealthyMembers: ["pd-2"],
        members: 3,
        quorumLost: false,
      },
    });
  });

  it("is critical for every unhealthy member once the quorum is lost", () => {
    const pd = recordedPd();
    const health = (pd.health as readonly PdMemberHealthEntry[]).map((m) =>
      m.name === "pd-3" ? { ...m, healthy: false } : m,
    );
    const results = byEntity(pdMemberHealth, observation({ pd: { ...pd, health } }));
    expect(results.get("pd-2")).toMatchObject({ severity: "critical", values: { quorumLost: true } });
    expect(results.get("pd-3")).toMatchObject({ severity: "critical" });
    expect((results.get("pd-3") as { message: string }).message).toMatch(/2 of 3 members are unhealthy/);
  });

  it("is unknown when /health failed, listed nobody, or PD was not read", () => {
    expect(run(pdMemberHealth, observation({ pd: recordedPd({ health: failure }) }))).toEqual({
      unknown: "PD's /health could not be read: [operator] [tikv] PD request timed out",
    });
    expect(isUnknownEvaluation(run(pdMemberHealth, observation({ pd: recordedPd({ health: [] }) })))).toBe(
      true,
    );
    expect(isUnknownEvaluation(run(pdMemberHealth, observation()))).toBe(true);
  });
});

describe("pd_leader_changes from the leader history and PD's TSO saves", () => {
  function history(readings: readonly (string | null)[], stepMs = 30_000): LeaderHistory {
    let state: { history: LeaderHistory; gap: boolean } | undefined;
    readings.forEach((leader, i) => {
      const at = RECORDED_AT - (readings.length - 1 - i) * stepMs;
      state = recordLeader(state?.history, leader, at, state?.gap ?? false);
    });
    return (state as { history: LeaderHistory }).history;
  }
  const oneLeader = reading('sum(increase(pd_tso_events{type="save"}[600s])) by (instance)', {
    "10.0.1.10:2379": 200,
    "10.0.1.11:2379": 0,
    "10.0.1.12:2379": 0,
  });

  it("counts a move to another member and a re-election after a cycle without leader", () => {
    expect(history(["pd-1", "pd-1", "pd-2"]).changes.map((c) => `${c.from}>${c.to}`)).toEqual(["pd-1>pd-2"]);
    expect(history(["pd-1", null, "pd-1"]).changes.map((c) => `${c.from}>${c.to}`)).toEqual(["pd-1>pd-1"]);
    expect(history(["pd-1", "pd-1", "pd-1"]).changes).toEqual([]);
  });

  it("allows one change, flags two seen within ten minutes, with the moves in the message", () => {
    const metrics = { tsoSaves: oneLeader };
    const once = recordedPd({ leaderHistory: history(["pd-1", "pd-2", "pd-2"]), metrics });
    expect(run(pdLeaderChanges, observation({ pd: once }))).toEqual([{ entity: "cluster", outcome: "ok" }]);
    const twice = recordedPd({ leaderHistory: history(["pd-1", "pd-2", "pd-1", "pd-1"]), metrics });
    const [result] = run(pdLeaderChanges, observation({ pd: twice })) as EntityResult[];
    expect(result).toMatchObject({
      entity: "cluster",
      outcome: "violated",
      message: "PD leader changed 2 times within 10m (pd-1 -> pd-2, pd-2 -> pd-1); more than 1",
      values: { changes: 2, seenChanges: 2, maxChanges: 1, windowMs: 600_000, leader: "pd-1" },
    });
  });

  it("on a first reading, knows from Prometheus which members led in the window", () => {
    const first = recordedPd({ leaderHistory: history(["pd-3"]) });
    expect(run(pdLeaderChanges, observation({ pd: first }))).toEqual([{ entity: "cluster", outcome: "ok" }]);
    const three = reading('sum(increase(pd_tso_events{type="save"}[600s])) by (instance)', {
      "10.0.1.10:2379": 40,
      "10.0.1.11:2379": 12,
      "10.0.1.12:2379": 150,
      "10.0.9.9:2379": 200,
    });
    const [result] = run(
      pdLeaderChanges,
      observation({ pd: recordedPd({ leaderHistory: history(["pd-3"]), metrics: { tsoSaves: three } }) }),
    ) as EntityResult[];
    expect(result).toMatchObject({
      outcome: "violated",
      message: "PD leader changed 2 times within 10m (pd-1, pd-2, pd-3 each led); more than 1",
      values: { leadersInWindow: ["pd-1", "pd-2", "pd-3"], seenChanges: null },
    });
  });

  it("forgets changes older than the window", () => {
    const old = recordedPd({ leaderHistory: history(["pd-1", "pd-2", "pd-3", "pd-3"], 400_000) });
    expect(run(pdLeaderChanges, observation({ pd: old }))).toEqual([{ entity: "cluster", outcome: "ok" }]);
  });

  it("is unknown when neither a second reading nor Prometheus tells", () => {
    const blind = recordedPd({ leaderHistory: history(["pd-1"]), metrics: {} });
    expect(run(pdLeaderChanges, observation({ pd: blind }))).toEqual([
      {
        entity: "cluster",
        outcome: "unknown",
        reason:
          "first reading of PD's leader (changes are counted from the next cycle); no Prometheus reading of pd_tso_events",
      },
    ]);
    const foreign = reading("q", { "10.0.9.1:2379": 100 });
    const failed = recordedPd({
      leaderHistory: { unknown: "PD's members could not be read: timeout" },
      metrics: { tsoSaves: foreign },
    });
    expect(run(pdLeaderChanges, observation({ pd: failed }))).toMatchObject([
      {
        outcome: "unknown",
        reason:
          "PD's members could not be read: timeout; no pd_tso_events sample for any PD member in Prometheus",
      },
    ]);
  });
});

describe("embedded etcd latency and clock, from PD's metrics joined on client URLs", () => {
  it("pd_etcd_wal_fsync: flags pd-3 at 2.4 s, NaN (no fsync) holds, a foreign etcd is ignored", () => {
    const results = byEntity(pdEtcdWalFsync, observation({ pd: recordedPd() }));
    expect([...results.keys()].sort()).toEqual(["pd-1", "pd-2", "pd-3"]);
    expect(results.get("pd-1")?.outcome).toBe("ok");
    expect(results.get("pd-2")?.outcome).toBe("ok");
    expect(results.get("pd-3")).toMatchObject({
      outcome: "violated",
      message: "PD member pd-3 (http://10.0.1.12:2379) etcd WAL fsync p99 is 2.4 s (threshold 1 s)",
      values: { member: "pd-3", p99Seconds: 2.4, thresholdSeconds: 1 },
    });
  });

  it("pd_etcd_peer_latency: names the slow peer; a member without samples is unknown", () => {
    const results = byEntity(pdEtcdPeerLatency, observation({ pd: recordedPd() }));
    expect(results.get("pd-1")).toMatchObject({
      outcome: "violated",
      message: "PD member pd-1 (http://10.0.1.10:2379) round trip to peer pd-3 has p99 1.6 s (threshold 1 s)",
      values: { slowestPeer: "pd-3", peers: { "pd-2": 0.0009, "pd-3": 1.6 } },
    });
    expect(results.get("pd-3")).toMatchObject({ outcome: "violated", values: { slowestPeer: "pd-1" } });
    expect(results.get("pd-2")).toMatchObject({
      outcome: "unknown",
      reason: expect.stringMatching(
        /No etcdPeerRttP99 sample for PD member pd-2 \(instance 10\.0\.1\.11:2379;/,
      ),
    });
  });

  it("pd_clock_slow: flags the member whose clock fell behind", () => {
    const results = byEntity(pdClockSlow, observation({ pd: recordedPd() }));
    expect(results.get("pd-1")?.outcome).toBe("ok");
    expect(results.get("pd-2")).toMatchObject({
      outcome: "violated",
      message:
        "PD member pd-2 (http://10.0.1.11:2379) found its system clock behind allocated timestamps 1 time in the last 10m: its clock stepped back or drifts",
      values: { events: 1.053, thresholdEvents: 0 },
    });
  });

  it("each is unknown when its query failed, did not run, or /members failed", () => {
    for (const invariant of [pdEtcdWalFsync, pdEtcdPeerLatency, pdClockSlow]) {
      expect(isUnknownEvaluation(run(invariant, observation({ pd: recordedPd({ metrics: {} }) })))).toBe(
        true,
      );
      expect(isUnknownEvaluation(run(invariant, observation({ pd: recordedPd({ members: failure }) })))).toBe(
        true,
      );
      const failed = recordedPd({
        metrics: {
          etcdWalFsyncP99: { query: "q", error: failure.error },
          etcdPeerRttP99: { query: "q", error: failure.error },
          tsoSystemTimeSlow: { query: "q", error: failure.error },
        },
      });
      expect(run(invariant, observation({ pd: failed }))).toEqual({
        unknown: "Prometheus query failed: [operator] [tikv] PD request timed out",
      });
    }
  });
});

describe("PD CPU, memory and etcd backend quotas, from PD's metrics joined on client URLs", () => {
  it("the recorded answers are those of the queries the subject runs", () => {
    const queries = buildPdQueries("1m");
    expect(recordedReading("pd-cpu-quota").query).toBe(queries.cpuQuota);
    expect(recordedReading("pd-memory-quota").query).toBe(queries.memoryQuota);
    expect(recordedReading("pd-etcd-quota").query).toBe(queries.etcdDbQuota);
    expect(queries.cpuQuota).toBe(
      'label_replace(sum(rate(process_cpu_seconds_total[1m])) by (instance) and on (instance) etcd_server_is_leader, "part", "used", "instance", ".*") or label_replace(sum(pd_service_maxprocs) by (instance), "part", "quota", "instance", ".*")',
    );
  });

  it("pd_cpu_quota: flags pd-2 at 85 %, pd-1 is ok, pd-3 without pd_service_maxprocs is unknown", () => {
    const results = byEntity(pdCpuQuota, observation({ pd: recordedPd() }));
    expect([...results.keys()].sort()).toEqual(["pd-1", "pd-2", "pd-3"]);
    expect(results.get("pd-1")).toEqual({ entity: "pd-1", outcome: "ok" });
    expect(results.get("pd-2")).toEqual({
      entity: "pd-2",
      outcome: "violated",
      message:
        "PD member pd-2 (http://10.0.1.11:2379) uses 85.0% of its CPU quota (6.80 cores of 8.00 cores; threshold 80.0%): TSO and region heartbeats slow down",
      values: {
        member: "pd-2",
        ratio: 0.85,
        thresholdRatio: 0.8,
        used: 6.8,
        quota: 8,
        query: buildPdQueries("1m").cpuQuota,
      },
    });
    expect(results.get("pd-3")).toEqual({
      entity: "pd-3",
      outcome: "unknown",
      reason: "PD member pd-3 has no pd_service_maxprocs sample",
    });
  });

  it("pd_memory_quota: flags pd-1 at 15 of 16 GiB; a zero quota is unknown, never ok", () => {
    const results = byEntity(pdMemoryQuota, observation({ pd: recordedPd() }));
    expect(results.get("pd-1")).toMatchObject({
      outcome: "violated",
      message: expect.stringMatching(
        /^PD member pd-1 \(http:\/\/10\.0\.1\.10:2379\) uses 93\.8% of its memory quota \(15GiB of 16GiB; threshold 80\.0%\): the process risks being killed for memory$/,
      ),
      values: { member: "pd-1", ratio: 0.9375, used: 15 * 1024 ** 3, quota: 16 * 1024 ** 3 },
    });
    expect(results.get("pd-1") && "severity" in (results.get("pd-1") as object)).toBe(false);
    expect(results.get("pd-2")?.outcome).toBe("ok");
    expect(results.get("pd-3")).toMatchObject({
      outcome: "unknown",
      reason: expect.stringMatching(/pd_service_memory_quota_bytes 0: no ratio can be taken/),
    });
  });

  it("pd_etcd_quota: warns at 85 %, is critical above 95 %, ignores a foreign etcd", () => {
    const results = byEntity(pdEtcdQuota, observation({ pd: recordedPd() }));
    expect([...results.keys()].sort()).toEqual(["pd-1", "pd-2", "pd-3"]);
    expect(results.get("pd-1")?.outcome).toBe("ok");
    const warn = results.get("pd-2");
    expect(warn).toMatchObject({
      outcome: "violated",
      values: { member: "pd-2", ratio: 0.85, thresholdRatio: 0.8, criticalRatio: 0.95 },
    });
    expect(warn && "severity" in warn).toBe(false);
    expect(results.get("pd-3")).toMatchObject({
      outcome: "violated",
      severity: "critical",
      message: expect.stringMatching(
        /^PD member pd-3 \(http:\/\/10\.0\.1\.12:2379\) uses 96\.4% of its etcd backend quota \(7\.7\d*GiB of 8GiB; threshold 80\.0%\): at the quota etcd refuses writes \(NOSPACE\) and PD stops$/,
      ),
      values: { ratio: 0.9644 },
    });
  });

  it("thresholds are overridable, the critical tier too", () => {
    const [cpu, etcd] = applyOverrides(
      [pdCpuQuota, pdEtcdQuota],
      {
        pd_cpu_quota: { thresholds: { ratio: 0.05 } },
        pd_etcd_quota: { thresholds: { ratio: 0.9, criticalRatio: 0.99 } },
      },
      "t",
    );
    const strict = run(pdCpuQuota, observation({ pd: recordedPd() }), cpu?.defaults);
    expect(isUnknownEvaluation(strict) ? [] : strict.map((r) => `${r.entity}:${r.outcome}`)).toEqual([
      "pd-1:violated",
      "pd-2:violated",
      "pd-3:unknown",
    ]);
    const relaxed = run(pdEtcdQuota, observation({ pd: recordedPd() }), etcd?.defaults) as EntityResult[];
    expect(relaxed.map((r) => r.outcome)).toEqual(["ok", "ok", "violated"]);
    expect(relaxed[2] && "severity" in relaxed[2]).toBe(false);
    expect(relaxed[2]).toMatchObject({ values: { thresholdRatio: 0.9, criticalRatio: 0.99 } });
  });

  it("each is unknown when its query failed or did not run, /members failed, or a member has no sample", () => {
    for (const invariant of [pdCpuQuota, pdMemoryQuota, pdEtcdQuota]) {
      expect(run(invariant, observation({ pd: recordedPd({ metrics: {} }) }))).toMatchObject({
        unknown: expect.stringMatching(/^No Prometheus reading for /),
      });
      expect(run(invariant, observation({ pd: recordedPd({ members: failure }) }))).toEqual({
        unknown: "PD's members could not be read: [operator] [tikv] PD request timed out",
      });
      const failed = recordedPd({
        metrics: {
          cpuQuota: { query: "q", error: failure.error },
          memoryQuota: { query: "q", error: failure.error },
          etcdDbQuota: { query: "q", error: failure.error },
        },
      });
      expect(run(invariant, observation({ pd: failed }))).toEqual({
        unknown: "Prometheus query failed: [operator] [tikv] PD request timed out",
      });
    }
    const sample = (part: string, value: number) => ({
      labels: { instance: "10.0.1.10:2379", part },
      value,
      timestamp: RECORDED_AT,
    });
    const onlyPd1 = { query: "q", warnings: [], samples: [sample("used", 1), sample("quota", 8)] };
    const partial = recordedPd({ metrics: { cpuQuota: onlyPd1 } });
    const results = byEntity(pdCpuQuota, observation({ pd: partial }));
    expect(results.get("pd-1")?.outcome).toBe("ok");
    expect(results.get("pd-2")).toMatchObject({
      outcome: "unknown",
      reason: expect.stringMatching(/^No cpuQuota sample for PD member pd-2 \(instance 10\.0\.1\.11:2379;/),
    });
  });
});
