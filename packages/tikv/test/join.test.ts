import { describe, expect, it } from "vitest";
import { groupByInstance, instanceOf, splitHostPort } from "../src/join.ts";
import { buildQueries } from "../src/queries.ts";

describe("instanceOf", () => {
  it.each([
    [{ address: "10.0.1.1:20160", statusAddress: "10.0.1.1:20180" }, "10.0.1.1:20180"],
    [{ address: "tikv-1:20160", statusAddress: "tikv-1.status:20181" }, "tikv-1.status:20181"],
    [{ address: "10.0.1.8:20160", statusAddress: "0.0.0.0:20180" }, "10.0.1.8:20180"],
    [{ address: "10.0.1.8:20160", statusAddress: "[::]:20190" }, "10.0.1.8:20190"],
    [{ address: "10.0.1.8:20160", statusAddress: ":20185" }, "10.0.1.8:20185"],
    [{ address: "10.0.1.8:20160", statusAddress: "" }, "10.0.1.8:20180"],
    [{ address: "10.0.1.8:20160", statusAddress: undefined }, "10.0.1.8:20180"],
    [{ address: "[fd00::8]:20160", statusAddress: "[::]:20180" }, "[fd00::8]:20180"],
    [{ address: "[fd00::8]:20160", statusAddress: "[fd00::8]:20180" }, "[fd00::8]:20180"],
  ])("%j -> %s", (store, instance) => {
    expect(instanceOf(store)).toBe(instance);
  });
});

describe("groupByInstance", () => {
  const sample = (instance: string | undefined, value: number) => ({
    labels: instance === undefined ? {} : { instance },
    value,
    timestamp: 0,
  });

  it("groups samples by instance, leaving out samples without one", () => {
    const groups = groupByInstance([
      sample("a:1", 1),
      sample(undefined, 2),
      sample("b:1", 3),
      sample("a:1", 4),
    ]);
    expect([...groups.keys()]).toEqual(["a:1", "b:1"]);
    expect(groups.get("a:1")?.map((s) => s.value)).toEqual([1, 4]);
  });

  it("groups a list once, and each list on its own", () => {
    const first = [sample("a:1", 1)];
    const second = [sample("a:1", 2)];
    expect(groupByInstance(first)).toBe(groupByInstance(first));
    expect(groupByInstance(second).get("a:1")?.[0]?.value).toBe(2);
    expect(groupByInstance(first).get("a:1")?.[0]?.value).toBe(1);
  });
});

describe("splitHostPort", () => {
  it.each([
    ["host:1", { host: "host", port: "1" }],
    ["host", { host: "host", port: "" }],
    ["[::1]:20180", { host: "[::1]", port: "20180" }],
    ["[::1]", { host: "[::1]", port: "" }],
    ["::1", { host: "::1", port: "" }],
  ])("%s", (address, parts) => {
    expect(splitHostPort(address)).toEqual(parts);
  });
});

describe("buildQueries", () => {
  it("groups every query by store (instance or remote store_id) and uses the configured windows", () => {
    const queries = buildQueries({ rateWindow: "2m", leaderDropWindow: "45s" });
    for (const [key, query] of Object.entries(queries)) {
      if (key === "gcActivity") expect(query).not.toMatch(/ by \(/);
      else expect(query).toMatch(/by \((le, )?(instance|store_id)/);
    }
    expect(queries.grpcP99).toContain('tikv_grpc_msg_duration_seconds_bucket{type!="kv_gc"}[2m]');
    expect(queries.raftstoreCpu).toContain('name=~"(raftstore|rs)_.*"}[2m]');
    expect(queries.writeStall).toContain("tikv_engine_stall_micro_seconds[2m]");
    expect(queries.leaderDelta).toContain('tikv_raftstore_region_count{type="leader"}[45s]');
    expect(Object.values(queries).join(" ")).not.toContain("tikv_pd_heartbeat_tick_total");
  });
});
