import { isOperatorError } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimCluster, SimulatorError, startCluster } from "../src/index.ts";

describe("startCluster options", () => {
  it.each([
    [{ stores: 0 }, /`stores` must be an integer >= 1, got 0/],
    [{ stores: 2.5 }, /`stores` must be an integer >= 1, got 2.5/],
    [{ timeScale: 0 }, /`timeScale` must be a positive number, got 0/],
    [{ maxStoreDownTimeMs: 10_000 }, /`maxStoreDownTimeMs` must exceed 20000/],
    [{ host: "0.0.0.0" as "127.0.0.1" }, /`host` must be 127.0.0.1, got 0.0.0.0/],
  ])("rejects %j with one clear error", async (options, message) => {
    const error = await startCluster(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimulatorError);
    expect(isOperatorError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });

  it("builds the same cluster from the same seed", async () => {
    const a = await startCluster({ stores: 2, seed: 42 });
    const b = await startCluster({ stores: 2, seed: 42 });
    try {
      const body = async (c: SimCluster) =>
        (await (await fetch(`${c.pdUrl}/pd/api/v1/cluster`)).text()).trim();
      expect(await body(a)).toBe(await body(b));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe("faults on a running cluster", () => {
  let cluster: SimCluster;
  beforeAll(async () => {
    cluster = await startCluster({ stores: 3, tiflashStores: 1, timeScale: 50 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  const state = async () =>
    (await (await fetch(`${cluster.controlUrl}/sim/state`)).json()) as {
      pdFault: string | null;
      stores: {
        id: number;
        running: boolean;
        p99Seconds: number | null;
        usedRatio: number;
        leaderCount: number;
        flapping: boolean;
      }[];
    };

  it("names the known ids when a store id is unknown", () => {
    expect(() => cluster.stopStore(9)).toThrow(/No simulated store with id 9 \(stores are 1\.\.4\)/);
    expect(() => cluster.setRegionFault("down-peer", 9, 1)).toThrow(SimulatorError);
  });

  it("exposes TiFlash stores to PD only, not as scrape targets", () => {
    expect(cluster.stores.map((s) => s.engine)).toEqual(["tikv", "tikv", "tikv", "tiflash"]);
    expect(cluster.stores[3]?.metricsUrl).toBeNull();
    expect(cluster.scrapeTargets.map((t) => t.instance)).toEqual([
      "tikv-1.sim:20180",
      "tikv-2.sim:20180",
      "tikv-3.sim:20180",
    ]);
  });

  it("undoes every fault with clearFaults()", async () => {
    const before = await state();
    cluster.stopStore(1);
    cluster.slowStore(2, 1);
    cluster.fillDisk(3, 0.99);
    cluster.leaderDrop(2);
    cluster.flapStore(3, 1_000);
    cluster.setStoreState(1, "Offline");
    cluster.setRegionFault("miss-peer", 2, 4);
    await cluster.apply({ fault: "pd", mode: "unavailable" });
    const faulty = await state();
    expect(faulty.pdFault).toBe("unavailable");
    expect(faulty.stores[0]?.running).toBe(false);
    expect(faulty.stores[1]?.leaderCount).toBe(0);
    await cluster.clearFaults();
    const after = await state();
    expect(after.pdFault).toBeNull();
    expect(after.stores).toEqual(before.stores);
    const miss = await (await fetch(`${cluster.pdUrl}/pd/api/v1/regions/check/miss-peer`)).text();
    expect(miss).toBe('{"count":0,"regions":[]}');
    expect(cluster.stateName(1)).toBe("Up");
  });

  it("serves a stopped store's scrape by dropping the connection", async () => {
    cluster.stopStore(2);
    try {
      const error = await fetch(cluster.stores[1]?.metricsUrl as string).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      expect((await fetch(cluster.stores[0]?.metricsUrl as string)).status).toBe(200);
    } finally {
      cluster.startStore(2);
    }
    expect((await fetch(cluster.stores[1]?.metricsUrl as string)).status).toBe(200);
  });
});
