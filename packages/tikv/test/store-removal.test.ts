import { type EntityResult, isUnknownEvaluation, type ObserveContext } from "@operator/core";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TikvObservation } from "../src/observation.ts";
import { tikvSubject } from "../src/subject.ts";
import { failure } from "./helpers/failure.ts";
import { fixture } from "./helpers/fixtures.ts";

/**
 * Issue 13, item 2: an empty store list or another cluster is never a reason to resolve; a store that
 * really left (Tombstone, or no longer listed by the same cluster) resolves with that reason.
 */

const API = "/pd/api/v1";
const CLUSTER_A = "6493707687106161130";
const CLUSTER_B = "7000000000000000001";
let pd: TestServer;
let prom: TestServer;
let clusterId = CLUSTER_A;
/** Store id -> PD's numeric state (0 Up, 2 Tombstone); a store absent here is not listed. */
let listed: Record<string, 0 | 2> = {};

/** PD's `/stores` for the stores in `listed`, Tombstone only when `state=2` is asked for (as PD does). */
function storesBody(url: URL): string {
  const template = JSON.parse(fixture("stores.json")) as {
    stores: Array<{ store: Record<string, unknown> }>;
  };
  const base = template.stores[0] as { store: Record<string, unknown> };
  const states = url.searchParams.getAll("state");
  const wanted = states.length === 0 ? ["0", "1"] : states;
  const stores = Object.entries(listed)
    .filter(([, state]) => wanted.includes(String(state)))
    .map(([id, state]) => ({
      ...base,
      store: {
        ...base.store,
        id: Number(id),
        address: `tikv-${id}:20160`,
        status_address: `tikv-${id}:20180`,
        state,
        state_name: state === 2 ? "Tombstone" : "Up",
      },
    }));
  return JSON.stringify({ count: stores.length, stores }, null, 2);
}

beforeAll(async () => {
  pd = await startTestServer({
    [`${API}/stores`]: (_request, url) => ({ body: storesBody(url) }),
    [`${API}/cluster`]: () => ({ body: `{"id":${clusterId},"max_peer_count":3}` }),
    [`${API}/regions/check/down-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/miss-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/pending-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/offline-peer`]: { body: fixture("region-check-empty.json") },
  });
  prom = await startTestServer({
    "/api/v1/query": (_request, url) => {
      const result = Object.keys(listed).map((id) => ({
        metric: { instance: `tikv-${id}:20180`, type: "capacity" },
        value: [1, url.searchParams.get("query")?.includes("delta") ? "0" : "0.01"],
      }));
      return { body: JSON.stringify({ status: "success", data: { resultType: "vector", result } }) };
    },
  });
});
afterAll(async () => {
  await pd.close();
  await prom.close();
});

const context = (): ObserveContext => ({
  signal: new AbortController().signal,
  deadline: Date.now() + 10_000,
});

function subject() {
  return tikvSubject({ name: "prod", pdUrl: pd.url, prometheusUrl: prom.url, retries: 0 });
}

function results(
  built: ReturnType<typeof subject>,
  observation: TikvObservation,
  name: string,
): EntityResult[] {
  const invariant = built.invariants.find((candidate) => candidate.name === name);
  const evaluation = invariant?.evaluate(observation, invariant.defaults) ?? [];
  if (isUnknownEvaluation(evaluation)) throw new Error(`${name} is unknown: ${evaluation.unknown}`);
  return [...evaluation];
}

describe("stores that leave, and store lists that cannot be trusted", () => {
  it("an empty store list is an ObservationError, never an all-clear", async () => {
    listed = {};
    const error = await failure(subject().observe(context()));
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toBe(
      `[operator] [tikv] PD answered no stores for cluster ${CLUSTER_A}: a cluster without stores is not plausible, the list is not trusted`,
    );
  });

  it("a list of Tombstone stores only is not trusted either", async () => {
    listed = { "1": 2, "2": 2 };
    const error = await failure(subject().observe(context()));
    expect(error.message).toContain("PD lists no live store (only 2 Tombstone)");
  });

  it("reads the cluster id every cycle: identity follows a swapped PD", async () => {
    listed = { "1": 0, "2": 0 };
    clusterId = CLUSTER_A;
    const built = subject();
    expect(built.identity?.(await built.observe(context()))).toBe(CLUSTER_A);
    clusterId = CLUSTER_B;
    try {
      const second = await built.observe(context());
      expect(built.identity?.(second)).toBe(CLUSTER_B);
      expect(second.requests.pd).toBe(8);
    } finally {
      clusterId = CLUSTER_A;
    }
  });

  it("a cluster id that cannot be read makes the observation fail", async () => {
    listed = { "1": 0 };
    pd.route(`${API}/cluster`, { status: 500, body: '"etcd unavailable"' });
    try {
      const error = await failure(subject().observe(context()));
      expect(error.message).toContain("GET");
      expect(error.message).toContain("/pd/api/v1/cluster");
    } finally {
      pd.route(`${API}/cluster`, () => ({ body: `{"id":${clusterId},"max_peer_count":3}` }));
    }
  });

  it("a Tombstone store is ok with a reason on every per-store invariant", async () => {
    listed = { "1": 0, "2": 0, "4": 2 };
    const built = subject();
    const observation = await built.observe(context());
    const gone = { entity: "4", outcome: "ok", gone: "store 4 removed from the cluster (Tombstone)" };
    expect(results(built, observation, "store_down")).toContainEqual(gone);
    expect(results(built, observation, "high_latency")).toContainEqual(gone);
    expect(results(built, observation, "leader_drop")).toContainEqual(gone);
  });

  it("a store no longer listed by the same cluster is ok with a reason, while it stays away", async () => {
    listed = { "1": 0, "2": 0, "3": 0 };
    const built = subject();
    const first = await built.observe(context());
    expect(first.removedStores).toEqual([]);
    delete listed["3"];
    for (let cycle = 0; cycle < 2; cycle += 1) {
      const observation = await built.observe(context());
      expect(observation.removedStores).toEqual(["3"]);
      expect(results(built, observation, "store_down")).toContainEqual({
        entity: "3",
        outcome: "ok",
        gone: "store 3 removed from the cluster (no longer listed by PD)",
      });
    }
    listed["3"] = 0;
    const back = await built.observe(context());
    expect(back.removedStores).toEqual([]);
  });

  it("stores missing under another cluster id are not reported as removed", async () => {
    listed = { "1": 0, "2": 0, "3": 0 };
    const built = subject();
    await built.observe(context());
    listed = { "9": 0 };
    clusterId = CLUSTER_B;
    try {
      const observation = await built.observe(context());
      expect(observation.removedStores).toEqual([]);
      expect(results(built, observation, "store_down").some((result) => "gone" in result)).toBe(false);
    } finally {
      clusterId = CLUSTER_A;
    }
  });
});
