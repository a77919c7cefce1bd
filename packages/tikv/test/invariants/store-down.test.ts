import { applyOverrides, type EntityResult, isUnknownEvaluation } from "@operator/core";
import { describe, expect, it } from "vitest";
import { storeDown } from "../../src/invariants/index.ts";
import { observation, RECORDED_AT, recordedStores } from "../helpers/observations.ts";

function results(obs = observation(), invariant = storeDown): Map<string, EntityResult> {
  const evaluation = invariant.evaluate(obs, invariant.defaults);
  if (isUnknownEvaluation(evaluation)) throw new Error(evaluation.unknown);
  return new Map(evaluation.map((result) => [result.entity, result]));
}

describe("store_down on the recorded stores", () => {
  it("is ok for Up, Offline and TiFlash stores", () => {
    const byStore = results();
    for (const id of ["1", "6", "7", "8"]) expect(byStore.get(id)).toEqual({ entity: id, outcome: "ok" });
  });

  it("flags Disconnected as a warning, with the values behind it", () => {
    expect(results().get("4")).toEqual({
      entity: "4",
      outcome: "violated",
      severity: "warning",
      message: "Store 4 (10.0.1.4:20160) is Disconnected: no heartbeat for 45s",
      values: {
        store_id: "4",
        state_name: "Disconnected",
        address: "10.0.1.4:20160",
        status_address: "10.0.1.4:20180",
        last_heartbeat_ts: "2023-03-23T17:43:36.896421303Z",
        downSeconds: 45,
        engine: "tikv",
        version: "8.5.0",
        labels: {},
      },
    });
  });

  it("flags Down at the invariant's severity (critical)", () => {
    const down = results().get("5");
    expect(storeDown.defaults.severity).toBe("critical");
    expect(down).toMatchObject({ outcome: "violated", values: { state_name: "Down", downSeconds: 2005 } });
    expect(down).not.toHaveProperty("severity");
    expect(down?.outcome === "violated" && down.message).toBe(
      "Store 5 (10.0.1.5:20160) is Down: no heartbeat for 33m25s",
    );
  });

  it("uses one key for Disconnected and Down: the store id", () => {
    const stores = recordedStores();
    const four = stores.find((store) => store.id === "4");
    if (!four) throw new Error("fixture lacks store 4");
    const disconnected = results(observation({ stores: [four] })).get("4");
    const down = results(observation({ stores: [{ ...four, stateName: "Down" }] })).get("4");
    expect(disconnected?.outcome).toBe("violated");
    expect(down?.outcome).toBe("violated");
    expect(disconnected?.entity).toBe(down?.entity);
  });

  it("never raises Disconnected above the configured severity", () => {
    const [quiet] = applyOverrides([storeDown], { store_down: { severity: "info" } }, "prod");
    expect(results(observation(), quiet).get("4")).toMatchObject({ severity: "info" });
  });

  it("a state it does not know is unknown, not ok", () => {
    const stores = recordedStores().map((store) =>
      store.id === "1" ? { ...store, stateName: "Slow" } : store,
    );
    expect(results(observation({ stores })).get("1")).toMatchObject({
      outcome: "unknown",
      reason: expect.stringContaining('"Slow"'),
    });
  });

  it("shows the last heartbeat's time when this host's clock is behind PD's", () => {
    const late = results(observation({ at: 1679593416896 + 3000 })).get("4");
    expect(late).toMatchObject({
      message: "Store 4 (10.0.1.4:20160) is Disconnected: last heartbeat at 2023-03-23T17:43:36.896421303Z",
      values: { downSeconds: 3 },
    });
  });

  it("a store without a heartbeat has no down time", () => {
    const stores = recordedStores().map((store) =>
      store.id === "4"
        ? { ...store, lastHeartbeat: undefined, status: { ...store.status, lastHeartbeatTs: undefined } }
        : store,
    );
    expect(results(observation({ stores })).get("4")).toMatchObject({
      message: "Store 4 (10.0.1.4:20160) is Disconnected: no heartbeat recorded",
      values: { downSeconds: null },
    });
  });

  it("needs no Prometheus", () => {
    expect(results(observation({ metrics: {} })).size).toBe(6);
    expect(RECORDED_AT).toBeGreaterThan(0);
  });
});
