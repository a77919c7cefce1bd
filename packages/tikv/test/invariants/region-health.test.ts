import { applyOverrides, isUnknownEvaluation } from "@operator/core";
import { describe, expect, it } from "vitest";
import { regionHealth } from "../../src/invariants/index.ts";
import { summarizeRegions } from "../../src/observe.ts";
import { observation, recordedRegions } from "../helpers/observations.ts";

describe("region_health", () => {
  it("flags the recorded down peer for the cluster, with region ids and stores", () => {
    expect(regionHealth.evaluate(observation(), regionHealth.defaults)).toEqual([
      {
        entity: "cluster",
        outcome: "violated",
        message: "PD reports 1 region with a down peer",
        values: {
          downPeerRegions: 1,
          missPeerRegions: 0,
          pendingPeerRegions: 0,
          offlinePeerRegions: 0,
          downPeerRegionIds: ["2"],
          missPeerRegionIds: [],
          downPeersByStore: { "4": 1 },
          pendingPeersByStore: {},
        },
      },
    ]);
  });

  it("is ok when every check is empty", () => {
    const empty = summarizeRegions(
      (["down-peer", "miss-peer", "pending-peer", "offline-peer"] as const).map((type) => ({
        type,
        count: 0,
        regions: [],
      })),
    );
    expect(regionHealth.evaluate(observation({ regions: empty }), regionHealth.defaults)).toEqual([
      { entity: "cluster", outcome: "ok" },
    ]);
  });

  it("counts missing replicas and follows thresholds", () => {
    const regions = recordedRegions();
    const missing = {
      ...regions,
      checks: { ...regions.checks, "miss-peer": { count: 3, regionIds: ["7", "8", "9"] } },
    };
    const [lenient = regionHealth] = applyOverrides(
      [regionHealth],
      { region_health: { thresholds: { downPeerRegions: 5 } } },
      "prod",
    );
    expect(lenient.evaluate(observation({ regions: missing }), lenient.defaults)).toMatchObject([
      {
        outcome: "violated",
        message: "PD reports 3 regions missing a replica",
        values: { missPeerRegionIds: ["7", "8", "9"] },
      },
    ]);
  });

  it("is unknown when the region checks could not be read", () => {
    const evaluation = regionHealth.evaluate(
      observation({ regions: { error: { reason: "timeout", message: "PD request timed out" } } }),
      regionHealth.defaults,
    );
    expect(isUnknownEvaluation(evaluation) && evaluation.unknown).toBe(
      "PD region checks could not be read: PD request timed out",
    );
  });
});
