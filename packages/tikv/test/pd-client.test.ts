import { closedPort } from "@operator/core/testing";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PdError, ResponseShapeError } from "../src/errors.ts";
import type { RequestEvent } from "../src/http.ts";
import { createPdClient, type PdClient } from "../src/pd-client.ts";
import { failure } from "./helpers/failure.ts";
import { compact, fixture } from "./helpers/fixtures.ts";

const API = "/pd/api/v1";
let server: TestServer;
let pd: PdClient;
const events: RequestEvent[] = [];

beforeAll(async () => {
  server = await startTestServer({
    [`${API}/stores`]: { body: fixture("stores.json") },
    [`${API}/regions/check/down-peer`]: { body: fixture("region-check-down-peer.json") },
    [`${API}/regions/check/miss-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/health`]: { body: fixture("health.json") },
    [`${API}/cluster`]: { body: fixture("cluster.json") },
  });
  pd = createPdClient({
    url: server.url,
    timeoutMs: 2000,
    retries: 0,
    onRequest: (event) => events.push(event),
  });
});
afterAll(() => server.close());

describe("stores", () => {
  it("reads every field of the indented body PD writes", async () => {
    const stores = await pd.stores();
    expect(stores.map((store) => store.id)).toEqual(["1", "4", "5", "6", "7", "8"]);
    const [up] = stores;
    expect(up).toMatchObject({
      id: "1",
      address: "10.0.1.1:20160",
      state: "Up",
      stateName: "Up",
      nodeState: "Serving",
      labels: { zone: "z1" },
      engine: "tikv",
      version: "8.5.0",
      peerAddress: "10.0.1.1:20160",
      statusAddress: "10.0.1.1:20180",
      gitHash: "58d231bccb4fb188bb697905ee4faf086c4ac931",
      startTimestamp: 1679592986,
      deployPath: "/tidb-deploy/tikv-20160/bin",
      lastHeartbeat: 1679593456896,
      lastHeartbeatNs: "1679593456896421303",
      physicallyDestroyed: false,
    });
    expect(up?.status).toMatchObject({
      capacityBytes: Math.round(1.967 * 1024 ** 4),
      availableBytes: 1.5 * 1024 ** 4,
      usedBytes: 292.5 * 1024 ** 2,
      leaderCount: 16,
      regionCount: 56,
      regionScore: 617.7285926370704,
      slowScore: 1,
      lastHeartbeatTs: "2023-03-23T17:44:16.896421303Z",
      uptime: "7m50.896421303s",
      isBusy: false,
      pendingPeerCount: 0,
    });
  });

  it("keeps PD's computed state_name and maps omitted and numeric states", async () => {
    const stores = await pd.stores();
    const byId = new Map(stores.map((store) => [store.id, store]));
    expect(byId.get("4")?.stateName).toBe("Disconnected");
    expect(byId.get("4")?.state).toBe("Up");
    expect(byId.get("5")?.stateName).toBe("Down");
    expect(byId.get("6")).toMatchObject({ state: "Offline", nodeState: "Removing", stateName: "Offline" });
    expect(byId.get("7")?.engine).toBe("tiflash");
    expect(byId.get("5")?.status.availableBytes).toBe(Math.round(96.73 * 1024 ** 3));
  });

  it("reads the compact form of the same body", async () => {
    server.route(`${API}/stores`, { body: compact(fixture("stores.json")) });
    try {
      expect((await pd.stores()).map((store) => store.stateName)).toEqual([
        "Up",
        "Disconnected",
        "Down",
        "Offline",
        "Up",
        "Up",
      ]);
    } finally {
      server.route(`${API}/stores`, { body: fixture("stores.json") });
    }
  });

  it("treats a store without optional fields as Up, Preparing, with no stats", async () => {
    server.route(`${API}/stores`, {
      body: '{"count":1,"stores":[{"store":{"id":9,"address":"a:20160","state_name":"Up"}}]}\n',
    });
    const [store] = await pd.stores();
    server.route(`${API}/stores`, { body: fixture("stores.json") });
    if (store === undefined) throw new Error("no store");
    expect(store).toMatchObject({ id: "9", state: "Up", nodeState: "Preparing", labels: {}, engine: "tikv" });
    expect(store.status.capacityBytes).toBeUndefined();
    expect(store.statusAddress).toBeUndefined();
  });
});

describe("region checks, health, cluster id", () => {
  it("reads a compact region check with down and pending peers", async () => {
    const check = await pd.regionCheck("down-peer");
    expect(check.count).toBe(1);
    expect(check.regions[0]).toMatchObject({
      id: "2",
      leader: { id: "40", storeId: "3", role: "Voter" },
      downPeers: [{ peer: { id: "42", storeId: "4" }, downSeconds: 3600 }],
      pendingPeers: [{ id: "42", storeId: "4" }],
    });
    expect(check.regions[0]?.peers).toHaveLength(3);
  });

  it("reads an empty check", async () => {
    expect(await pd.regionCheck("miss-peer")).toEqual({ type: "miss-peer", count: 0, regions: [] });
  });

  it("reads health with a member id beyond 2^53, exactly", async () => {
    expect(await pd.health()).toEqual([
      { name: "pd-1", memberId: "13195394291058371180", clientUrls: ["http://10.0.1.10:2379"], health: true },
    ]);
  });

  it("reads the cluster id without losing precision", async () => {
    expect(await pd.clusterId()).toBe("6493707687106161130");
    expect(JSON.parse(fixture("cluster.json")).id.toString()).not.toBe("6493707687106161130");
  });

  it("reports each request to onRequest with its endpoint", async () => {
    events.length = 0;
    await pd.health();
    expect(events).toEqual([{ source: "pd", endpoint: `${API}/health`, attempt: 0 }]);
  });
});

describe("failures", () => {
  it.each([
    [404, '"[PD:core:ErrStoreNotFound]store 999 not found"\n', "client_error", false, "store 999 not found"],
    [
      400,
      '{\n  "code": "input",\n  "msg": "strconv.ParseUint: parsing \\"abc\\": invalid syntax",\n  "data": {}\n}\n',
      "client_error",
      false,
      'input: strconv.ParseUint: parsing "abc": invalid syntax',
    ],
    [
      500,
      '"[PD:cluster:ErrNotBootstrapped]TiKV cluster not bootstrapped, please start TiKV first"\n',
      "server_error",
      true,
      "ErrNotBootstrapped",
    ],
    [503, '"etcdserver: request timed out"\n', "server_error", true, "etcdserver: request timed out"],
    [401, "Unauthorized", "auth", false, "Unauthorized"],
  ])("status %i is a PdError (%s)", async (status, body, reason, retryable, detail) => {
    server.route(`${API}/regions/check/empty-region`, { status, body });
    const error = await failure(pd.regionCheck("empty-region"));
    expect(error).toBeInstanceOf(PdError);
    expect(error).toMatchObject({ reason, retryable, status, endpoint: `${API}/regions/check/empty-region` });
    expect(error.message).toContain(
      `[operator] [tikv] PD request failed with status ${status}: GET ${server.url}${API}/regions/check/empty-region`,
    );
    expect(error).toMatchObject({ url: server.url });
    expect(error.message).toContain(detail);
  });

  it("an unknown path is a 404 client error", async () => {
    const error = await failure(pd.regionCheck("offline-peer"));
    expect(error).toMatchObject({ reason: "client_error", status: 404 });
  });

  it.each([
    ["garbage", "<html>502 Bad Gateway</html>", ""],
    ["truncated JSON", fixture("stores.json").slice(0, 300), ""],
    ["an empty body", "", ""],
  ])("%s is a ResponseShapeError naming the endpoint", async (_name, body, field) => {
    server.route(`${API}/stores`, { body });
    try {
      const error = await failure(pd.stores());
      expect(error).toBeInstanceOf(ResponseShapeError);
      expect(error).toMatchObject({ reason: "invalid_response", endpoint: `${API}/stores`, field });
      expect(error.message).toContain(`PD returned an invalid response for GET ${API}/stores`);
    } finally {
      server.route(`${API}/stores`, { body: fixture("stores.json") });
    }
  });

  it.each([
    ['{"count":1,"stores":[{"store":{"id":"1","address":"a","state_name":"Up"}}]}', "stores[0].store.id"],
    ['{"count":1,"stores":[{"store":{"id":1,"address":"a"}}]}', "stores[0].store.state_name"],
    [
      '{"count":1,"stores":[{"store":{"id":1,"address":"a","state":7,"state_name":"Up"}}]}',
      "stores[0].store.state",
    ],
    [
      '{"count":1,"stores":[{"store":{"id":1,"address":"a","state_name":"Up"},"status":{"capacity":"2TB"}}]}',
      "stores[0].status.capacity",
    ],
    ['{"count":1,"stores":{"id":1}}', "stores"],
    ["[]", ""],
  ])("a wrong shape names the field: %s", async (body, field) => {
    server.route(`${API}/stores`, { body });
    try {
      const error = await failure(pd.stores());
      expect(error).toBeInstanceOf(ResponseShapeError);
      expect((error as ResponseShapeError).field).toBe(field);
      if (field) expect(error.message).toContain(`at \`${field}\``);
    } finally {
      server.route(`${API}/stores`, { body: fixture("stores.json") });
    }
  });

  it("a refused connection is unreachable and retryable", async () => {
    const client = createPdClient({ url: `http://127.0.0.1:${await closedPort()}`, retries: 0 });
    const error = await failure(client.stores());
    expect(error).toMatchObject({ reason: "unreachable", retryable: true });
    expect(error.message).toMatch(
      /could not connect: GET http:\/\/127\.0\.0\.1:\d+\/pd\/api\/v1\/stores \(ECONNREFUSED\)/,
    );
  });

  it("a slow answer past the timeout is aborted with reason timeout", async () => {
    server.route(`${API}/cluster`, { body: fixture("cluster.json"), delayMs: 30_000 });
    const client = createPdClient({ url: server.url, timeoutMs: 300, retries: 0 });
    const started = Date.now();
    const error = await failure(client.clusterId());
    expect(error).toMatchObject({ reason: "timeout", retryable: true });
    expect(Date.now() - started).toBeLessThan(10_000);
    server.route(`${API}/cluster`, { body: fixture("cluster.json") });
  });

  it("a body that stalls after the headers is a timeout too", async () => {
    server.route(`${API}/health`, { body: fixture("health.json"), stallBodyMs: 30_000 });
    const client = createPdClient({ url: server.url, timeoutMs: 300, retries: 0 });
    expect(await failure(client.health())).toMatchObject({ reason: "timeout" });
    server.route(`${API}/health`, { body: fixture("health.json") });
  });

  it("the caller's deadline caps the timeout, and its signal aborts", async () => {
    server.route(`${API}/cluster`, { body: fixture("cluster.json"), delayMs: 30_000 });
    const client = createPdClient({ url: server.url, timeoutMs: 60_000, retries: 3 });
    const byDeadline = await failure(client.clusterId({ deadline: Date.now() + 300 }));
    expect(byDeadline.reason).toBe("timeout");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    expect(await failure(client.clusterId({ signal: controller.signal }))).toMatchObject({
      reason: "aborted",
    });
    expect(await failure(client.clusterId({ signal: AbortSignal.timeout(200) }))).toMatchObject({
      reason: "timeout",
    });
    server.route(`${API}/cluster`, { body: fixture("cluster.json") });
  });
});

describe("retries", () => {
  it("retries a 503 once, then succeeds", async () => {
    let calls = 0;
    server.route(`${API}/health`, () => {
      calls += 1;
      return calls === 1 ? { status: 503, body: '"etcd unavailable"\n' } : { body: fixture("health.json") };
    });
    const client = createPdClient({ url: server.url, retries: 1 });
    expect(await client.health()).toHaveLength(1);
    expect(calls).toBe(2);
  });

  it("gives up after the configured retries and reports the last status", async () => {
    let calls = 0;
    server.route(`${API}/health`, () => {
      calls += 1;
      return { status: 500, body: '"boom"\n' };
    });
    const client = createPdClient({ url: server.url, retries: 2 });
    expect(await failure(client.health())).toMatchObject({ reason: "server_error", status: 500 });
    expect(calls).toBe(3);
  });

  it("never retries a client error", async () => {
    let calls = 0;
    server.route(`${API}/health`, () => {
      calls += 1;
      return { status: 400, body: '"bad"\n' };
    });
    const client = createPdClient({ url: server.url, retries: 3 });
    await failure(client.health());
    expect(calls).toBe(1);
  });

  it("does not start a retry that would end past the deadline", async () => {
    let calls = 0;
    server.route(`${API}/health`, () => {
      calls += 1;
      return { status: 503, body: '"busy"\n' };
    });
    const client = createPdClient({ url: server.url, retries: 5 });
    await failure(client.health({ deadline: Date.now() + 150 }));
    expect(calls).toBe(1);
    server.route(`${API}/health`, { body: fixture("health.json") });
  });

  it("sends the configured headers", async () => {
    const client = createPdClient({ url: server.url, headers: { "x-tenant": "blue" } });
    await client.health();
    expect(server.headers.at(-1)?.["x-tenant"]).toBe("blue");
  });
});

describe("several PD members", () => {
  it("moves on from a member that cannot be reached, and stays with the one that answered", async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const seen: RequestEvent[] = [];
    const client = createPdClient({ url: [dead, server.url], retries: 3 });
    const context = { onRequest: (event: RequestEvent) => seen.push(event) };
    expect(await client.clusterId(context)).toBe("6493707687106161130");
    expect(seen).toHaveLength(2);
    seen.length = 0;
    expect(await client.clusterId(context)).toBe("6493707687106161130");
    expect(seen).toHaveLength(1);
  });

  it("moves on from a member answering 503, not from one answering 404", async () => {
    const sick = await startTestServer({ [`${API}/health`]: { status: 503, body: '"no leader"\n' } });
    try {
      const client = createPdClient({ url: [sick.url, server.url] });
      expect(await client.health()).toHaveLength(1);
      const lost = await failure(createPdClient({ url: [sick.url, server.url] }).regionCheck("empty-region"));
      expect(lost).toMatchObject({ status: 404, url: sick.url });
    } finally {
      await sick.close();
    }
  });

  it("reports the last member's failure when none answers", async () => {
    const ports = [await closedPort(), await closedPort()];
    const client = createPdClient({ url: ports.map((port) => `http://127.0.0.1:${port}`) });
    const error = await failure(client.stores());
    expect(error).toMatchObject({ reason: "unreachable", url: `http://127.0.0.1:${ports[1]}` });
  });
});
