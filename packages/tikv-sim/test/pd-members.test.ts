import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseFaultArgs, type SimCluster, startCluster } from "../src/index.ts";

/** PD's members in the simulator: /health, /members, /leader, each member's /metrics, and the faults. */
let cluster: SimCluster;

beforeAll(async () => {
  cluster = await startCluster({ stores: 3, pdMembers: 3 });
});

afterAll(async () => {
  await cluster?.close();
});

beforeEach(async () => {
  await cluster.clearFaults();
});

interface Member {
  name: string;
  member_id: number;
  client_urls: string[];
  health?: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: PD's answers are read field by field in the assertions
type Json = any;

async function json(path: string): Promise<Json> {
  return (await fetch(`${cluster.pdUrl}/pd/api/v1${path}`)).json();
}

async function metrics(name: string): Promise<string | null> {
  const target = cluster.pdScrapeTargets.find((t) => t.instance === `${name}.sim:2379`);
  if (!target) throw new Error(`no scrape target for ${name}`);
  try {
    const res = await fetch(`http://${target.target}${target.metricsPath}`);
    return await res.text();
  } catch {
    return null;
  }
}

describe("PD members", () => {
  it("lists three healthy members with fictional client URLs, pd-1 leading; one scrape target each", async () => {
    const health = await json("/health");
    expect(health.map((m: Member) => [m.name, m.client_urls[0], m.health])).toEqual([
      ["pd-1", "http://pd-1.sim:2379", true],
      ["pd-2", "http://pd-2.sim:2379", true],
      ["pd-3", "http://pd-3.sim:2379", true],
    ]);
    expect((await json("/leader")).name).toBe("pd-1");
    expect(cluster.pdScrapeTargets.map((t) => t.instance)).toEqual([
      "pd-1.sim:2379",
      "pd-2.sim:2379",
      "pd-3.sim:2379",
    ]);
    expect(cluster.pdScrapeTarget).toEqual(cluster.pdScrapeTargets[0]);
    expect(await metrics("pd-1")).toMatch(/^etcd_server_is_leader 1$/m);
    expect(await metrics("pd-2")).toMatch(/^etcd_server_is_leader 0$/m);
    expect(await metrics("pd-2")).not.toMatch(/pd_cluster_status/);
  });

  it("an unhealthy leader hands over; its /metrics fail; pd-1 cannot be marked down", async () => {
    cluster.transferPdLeader("pd-2");
    expect((await json("/members")).leader.name).toBe("pd-2");
    expect(await metrics("pd-2")).toMatch(/pd_cluster_status\{/);
    cluster.setPdMemberHealth("pd-2", false);
    const health = await json("/health");
    expect(health.find((m: Member) => m.name === "pd-2").health).toBe(false);
    expect((await json("/members")).leader.name).toBe("pd-1");
    expect(await metrics("pd-2")).toBeNull();
    expect(() => cluster.setPdMemberHealth("pd-1", false)).toThrow(/serves the simulated PD API/);
    expect(() => cluster.transferPdLeader("pd-2")).toThrow(/unhealthy/);
    expect(() => cluster.transferPdLeader("pd-9")).toThrow(/No simulated PD member "pd-9"/);
  });

  it("writes etcd histograms with peers by hex id, and the TSO clock counter", async () => {
    cluster.pdClockBackward("pd-3");
    const text = (await metrics("pd-3")) as string;
    const members = (await json("/members")).members;
    const pd1 = BigInt(members[0].member_id).toString(16);
    expect(text).toMatch(/^etcd_disk_wal_fsync_duration_seconds_bucket\{le="0.001"\} [\d.]+$/m);
    expect(text).toContain(`etcd_network_peer_round_trip_time_seconds_bucket{To="${pd1}",le="+Inf"}`);
    expect(text).toMatch(/^pd_tso_events\{dc="global",type="system_time_slow"\} 1$/m);
  });

  it("writes process CPU and memory, PD's quotas and the etcd backend size; the faults move them", async () => {
    const figure = (text: string, name: string) =>
      Number(new RegExp(`^${name} ([\\d.e+]+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    const before = (await metrics("pd-2")) as string;
    expect(figure(before, "pd_service_maxprocs")).toBe(8);
    expect(figure(before, "pd_service_memory_quota_bytes")).toBe(16 * 1024 ** 3);
    expect(figure(before, "etcd_server_quota_backend_bytes")).toBe(8 * 1024 ** 3);
    expect(figure(before, "process_resident_memory_bytes")).toBe(512 * 1024 ** 2);
    expect(figure(before, "etcd_mvcc_db_total_size_in_bytes")).toBe(48 * 1024 ** 2);
    expect(figure(before, "process_cpu_seconds_total")).toBeGreaterThan(0);
    cluster.pdMemory("pd-2", 14);
    cluster.pdDbSize("pd-2", 7900);
    const after = (await metrics("pd-2")) as string;
    expect(figure(after, "process_resident_memory_bytes")).toBe(14 * 1024 ** 3);
    expect(figure(after, "etcd_mvcc_db_total_size_in_bytes")).toBe(7900 * 1024 ** 2);
    expect(figure((await metrics("pd-1")) as string, "process_resident_memory_bytes")).toBe(512 * 1024 ** 2);
    await cluster.clearFaults();
    expect(figure((await metrics("pd-2")) as string, "etcd_mvcc_db_total_size_in_bytes")).toBe(
      48 * 1024 ** 2,
    );
  });

  it("slow-score sets PD's slow_score, and PD counts the store slow at 80", async () => {
    cluster.slowScore(2, 85);
    const store = await json("/store/2");
    expect(store.status.slow_score).toBe(85);
    expect(await metrics("pd-1")).toMatch(/type="store_slow_count"\} 1/);
  });

  it("parses the CLI words of the new faults and names what is wrong", () => {
    expect(parseFaultArgs(["pd-member", "pd-2", "down"])).toEqual({
      fault: "pd-member",
      member: "pd-2",
      healthy: false,
    });
    expect(parseFaultArgs(["pd-fsync", "pd-3", "off"])).toEqual({
      fault: "pd-fsync",
      member: "pd-3",
      p99Seconds: null,
    });
    expect(parseFaultArgs(["pd-cpu", "pd-2", "7.5"])).toEqual({
      fault: "pd-cpu",
      member: "pd-2",
      cores: 7.5,
    });
    expect(parseFaultArgs(["pd-memory", "pd-3", "off"])).toEqual({
      fault: "pd-memory",
      member: "pd-3",
      residentGiB: null,
    });
    expect(parseFaultArgs(["pd-db-size", "pd-1", "7900"])).toEqual({
      fault: "pd-db-size",
      member: "pd-1",
      mib: 7900,
    });
    expect(() => parseFaultArgs(["pd-cpu", "pd-2", "lots"])).toThrow(
      /`cores` must be a number from 0 to 1024 or off, got lots/,
    );
    expect(() => parseFaultArgs(["pd-db-size", "pd-2"])).toThrow(/`mib` must be a number/);
    expect(() => parseFaultArgs(["pd-memory", "nobody!", "4"])).toThrow(/needs `member`/);
    expect(parseFaultArgs(["slow-score", "2", "90"])).toEqual({ fault: "slow-score", store: 2, score: 90 });
    expect(() => parseFaultArgs(["pd-member", "pd-2", "sideways"])).toThrow(/healthy/);
    expect(() => parseFaultArgs(["slow-score", "2", "101"])).toThrow(
      /`score` must be a number from 1 to 100/,
    );
  });
});
