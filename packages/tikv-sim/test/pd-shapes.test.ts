import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SimCluster, startCluster } from "../src/index.ts";
import { parseBytesSize } from "../src/pd/go-format.ts";

/** Field order of `metapb.Store` + state_name and of `StoreStatus` as PD emits them (tikv-pd.md 1.3). */
const STORE_KEYS = [
  "id",
  "address",
  "state",
  "labels",
  "version",
  "peer_address",
  "status_address",
  "git_hash",
  "start_timestamp",
  "deploy_path",
  "last_heartbeat",
  "physically_destroyed",
  "node_state",
  "state_name",
];
const STATUS_KEYS = [
  "capacity",
  "available",
  "used_size",
  "leader_count",
  "leader_weight",
  "leader_score",
  "leader_size",
  "region_count",
  "region_weight",
  "region_score",
  "region_size",
  "learner_count",
  "witness_count",
  "pending_peer_count",
  "slow_score",
  "network_slow_score",
  "slow_trend",
  "sending_snap_count",
  "receiving_snap_count",
  "is_busy",
  "start_ts",
  "last_heartbeat_ts",
  "uptime",
  "pause_leader_transfer_in",
  "pause_leader_transfer_out",
];
const REGION_KEYS = [
  "id",
  "start_key",
  "end_key",
  "epoch",
  "peers",
  "leader",
  "down_peers",
  "pending_peers",
  "cpu_usage",
  "written_bytes",
  "read_bytes",
  "written_keys",
  "read_keys",
  "approximate_size",
  "approximate_keys",
  "approximate_kv_size",
  "approximate_columnar_kv_size",
];
const BYTE_SIZE = /^\d+(\.\d{1,3})?(B|KiB|MiB|GiB|TiB|PiB)$/;
const GO_DURATION = /^(\d+h)?(\d+m)?\d+(\.\d+)?s$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

let cluster: SimCluster;

async function get(path: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(`${cluster.pdUrl}${path}`);
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** Keys must be a subsequence of the documented order (omitted ones may be missing, none extra). */
function expectOrderedSubset(actual: readonly string[], documented: readonly string[]): void {
  const positions = actual.map((k) => documented.indexOf(k));
  expect(positions, `unexpected keys in ${actual.join(",")}`).not.toContain(-1);
  expect([...positions].sort((a, b) => a - b)).toEqual(positions);
}

/** Indented like Go's MarshalIndent (uint64 values beyond 2^53 are compared as raw digits). */
function expectIndented(text: string): void {
  expect(text.endsWith("\n")).toBe(true);
  const quoted = text.replace(/: (\d{16,})(,?)$/gm, ': "$1"$2');
  expect(quoted).toBe(`${JSON.stringify(JSON.parse(quoted), null, 2)}\n`);
}

async function waitFor(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  cluster = await startCluster({ stores: 4, tiflashStores: 1, timeScale: 20, maxStoreDownTimeMs: 120_000 });
});
afterAll(async () => {
  await cluster.close();
});

describe("GET /pd/api/v1/stores", () => {
  it("returns count + stores, indented, with fields in PD's order and omitempty rules", async () => {
    const { status, text, headers } = await get("/pd/api/v1/stores");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toBe("application/json; charset=UTF-8");
    expectIndented(text);
    const body = JSON.parse(text) as {
      count: number;
      stores: { store: Record<string, unknown>; status: Record<string, unknown> }[];
    };
    expect(Object.keys(body)).toEqual(["count", "stores"]);
    expect(body.count).toBe(5);
    expect(body.stores.map((s) => s.store.id).sort()).toEqual([1, 2, 3, 4, 5]);
    for (const { store, status: st } of body.stores) {
      expectOrderedSubset(Object.keys(store), STORE_KEYS);
      expectOrderedSubset(Object.keys(st), STATUS_KEYS);
      expect(store).not.toHaveProperty("state");
      expect(store.node_state).toBe(1);
      expect(store.state_name).toBe("Up");
      expect(store.peer_address).toBeTypeOf("string");
      expect(store.git_hash).toMatch(/^[0-9a-f]{40}$/);
      for (const key of ["capacity", "available", "used_size"]) expect(st[key]).toMatch(BYTE_SIZE);
      expect(st.start_ts).toMatch(RFC3339);
      expect(st.last_heartbeat_ts).toMatch(RFC3339);
      expect(st.uptime).toMatch(GO_DURATION);
      expect(st.leader_weight).toBe(1);
      expect(parseBytesSize(st.available as string)).toBeLessThanOrEqual(
        parseBytesSize(st.capacity as string),
      );
    }
    const tiflash = body.stores.find((s) => s.store.id === 5);
    expect(tiflash?.store.labels).toEqual([{ key: "engine", value: "tiflash" }]);
  });

  it("writes last_heartbeat as unix nanoseconds that JSON.parse cannot hold exactly", async () => {
    const { text } = await get("/pd/api/v1/store/1");
    const raw = /"last_heartbeat": (\d+),/.exec(text)?.[1] as string;
    expect(raw).toMatch(/^\d{19}$/);
    const ms = Number(BigInt(raw) / 1_000_000n);
    expect(Math.abs(ms - cluster.now())).toBeLessThan(11_000 + 5_000 * cluster.timeScale);
    const startSeconds = Number(/"start_timestamp": (\d+),/.exec(text)?.[1]);
    expect(startSeconds).toBeLessThan(ms / 1000);
  });

  it("filters numerically by ?state= and answers 500 with a string for bad values", async () => {
    cluster.setStoreState(4, "Tombstone");
    try {
      const def = JSON.parse((await get("/pd/api/v1/stores")).text) as {
        count: number;
        stores: { store: { id: number } }[];
      };
      expect(def.stores.map((s) => s.store.id)).not.toContain(4);
      const tomb = JSON.parse((await get("/pd/api/v1/stores?state=2")).text) as {
        stores: { store: Record<string, unknown> }[];
      };
      expect(tomb.stores.map((s) => s.store.id)).toEqual([4]);
      expect(tomb.stores[0]?.store).toMatchObject({ state: 2, node_state: 3, state_name: "Tombstone" });
      const one = await get("/pd/api/v1/store/4");
      expect(one.status).toBe(200);
      const both = JSON.parse((await get("/pd/api/v1/stores?state=0&state=2")).text) as { count: number };
      expect(both.count).toBe(5);
    } finally {
      cluster.setStoreState(4, "Up");
    }
    const bad = await get("/pd/api/v1/stores?state=3");
    expect(bad.status).toBe(500);
    expect(bad.text).toBe('"unknown StoreState: 3"\n');
    const word = await get("/pd/api/v1/stores?state=up");
    expect(word.status).toBe(500);
    expect(JSON.parse(word.text)).toBe('strconv.Atoi: parsing "up": invalid syntax');
  });

  it("reports an Offline store with state 1 and node_state 2", async () => {
    cluster.setStoreState(3, "Offline");
    try {
      const store = JSON.parse((await get("/pd/api/v1/store/3")).text).store as Record<string, unknown>;
      expect(store).toMatchObject({ state: 1, node_state: 2, state_name: "Offline" });
      expectOrderedSubset(Object.keys(store), STORE_KEYS);
    } finally {
      cluster.setStoreState(3, "Up");
    }
  });
});

describe("GET /pd/api/v1/store/{id}", () => {
  it("answers a non-integer id with 400 and an errcode JSON body", async () => {
    const { status, text, headers } = await get("/pd/api/v1/store/abc");
    expect(status).toBe(400);
    expect(headers.get("tidb-error-code")).toBe("input");
    expect(text).toBe(
      '{\n  "code": "input",\n  "msg": "strconv.ParseUint: parsing \\"abc\\": invalid syntax",\n  "data": {}\n}\n',
    );
  });

  it("answers an unknown id with 404 and a JSON string body", async () => {
    const { status, text } = await get("/pd/api/v1/store/999");
    expect(status).toBe(404);
    expect(text).toBe('"[PD:core:ErrStoreNotFound]store 999 not found"\n');
  });
});

describe("heartbeats and state_name under a time scale", () => {
  it("goes Disconnected after 20 s and Down after max-store-down-time of simulated silence, Up after restart", async () => {
    const before = /"last_heartbeat": (\d+)/.exec((await get("/pd/api/v1/store/2")).text)?.[1];
    cluster.stopStore(2);
    const stoppedAt = cluster.now();
    const stateOf = async (): Promise<string> =>
      JSON.parse((await get("/pd/api/v1/store/2")).text).store.state_name;
    expect(await stateOf()).toBe("Up");
    await waitFor(async () => (await stateOf()) === "Disconnected");
    const heartbeat = BigInt(
      /"last_heartbeat": (\d+)/.exec((await get("/pd/api/v1/store/2")).text)?.[1] as string,
    );
    expect(stoppedAt - Number(heartbeat / 1_000_000n)).toBeLessThanOrEqual(10_000 + cluster.timeScale * 100);
    expect(heartbeat).toBeGreaterThanOrEqual(BigInt(before as string));
    expect(cluster.now() - Number(heartbeat / 1_000_000n)).toBeGreaterThan(20_000);

    const check = JSON.parse((await get("/pd/api/v1/stores/check?state=Disconnected")).text) as {
      stores: { store: { id: number } }[];
    };
    expect(check.stores.map((s) => s.store.id)).toEqual([2]);
    const up = JSON.parse((await get("/pd/api/v1/stores/check?state=up")).text) as {
      stores: { store: { id: number } }[];
    };
    expect(up.stores.map((s) => s.store.id)).not.toContain(2);

    await waitFor(async () => (await stateOf()) === "Down");
    expect(cluster.now() - Number(heartbeat / 1_000_000n)).toBeGreaterThan(120_000);
    cluster.startStore(2);
    expect(await stateOf()).toBe("Up");
  });

  it("answers an unknown /stores/check state with 400", async () => {
    const { status, text } = await get("/pd/api/v1/stores/check?state=foo");
    expect(status).toBe(400);
    expect(text).toBe('"unknown StoreState: foo"\n');
  });
});

describe("region endpoints", () => {
  it("writes compact JSON without a trailing newline, empty as count 0 and []", async () => {
    const { status, text } = await get("/pd/api/v1/regions/check/down-peer");
    expect(status).toBe(200);
    expect(text).toBe('{"count":0,"regions":[]}');
  });

  it("lists down, missing, pending and offline peers set by faults", async () => {
    cluster.setRegionFault("down-peer", 3, 2);
    cluster.setRegionFault("miss-peer", 3, 1);
    cluster.setRegionFault("pending-peer", 1, 3);
    cluster.setRegionFault("offline-peer", 2, 1);
    try {
      const down = (await get("/pd/api/v1/regions/check/down-peer")).text;
      expect(down.endsWith("}")).toBe(true);
      expect(down).toBe(JSON.stringify(JSON.parse(down)));
      const body = JSON.parse(down) as { count: number; regions: Record<string, unknown>[] };
      expect(body.count).toBe(2);
      for (const region of body.regions) {
        expectOrderedSubset(Object.keys(region), REGION_KEYS);
        expect(region.down_peers).toEqual([
          {
            peer: expect.objectContaining({ role_name: "Voter", store_id: 3 }),
            down_seconds: expect.any(Number),
          },
        ]);
        expect(region).not.toHaveProperty("pending_peers");
        expect(Object.keys((region.peers as object[])[0] as object)).toEqual(["role_name", "id", "store_id"]);
      }
      const miss = JSON.parse((await get("/pd/api/v1/regions/check/miss-peer")).text) as {
        regions: { peers: unknown[] }[];
      };
      expect(miss.regions).toHaveLength(1);
      expect(miss.regions[0]?.peers).toHaveLength(2);
      const pending = JSON.parse((await get("/pd/api/v1/regions/check/pending-peer")).text) as {
        count: number;
      };
      expect(pending.count).toBe(3);
      const status = JSON.parse((await get("/pd/api/v1/store/1")).text).status as Record<string, unknown>;
      expect(status.pending_peer_count).toBe(3);
      const offline = JSON.parse((await get("/pd/api/v1/regions/check/offline-peer")).text) as {
        count: number;
      };
      expect(offline.count).toBe(1);
      const extra = await get("/pd/api/v1/regions/check/extra-peer");
      expect(extra.text).toBe('{"count":0,"regions":[]}');
    } finally {
      for (const [kind, store] of [
        ["down-peer", 3],
        ["miss-peer", 3],
        ["pending-peer", 1],
        ["offline-peer", 2],
      ] as const) {
        cluster.setRegionFault(kind, store, 0);
      }
    }
    expect((await get("/pd/api/v1/regions/check/down-peer")).text).toBe('{"count":0,"regions":[]}');
  });

  it("counts regions with an indented body and regions null", async () => {
    const { text } = await get("/pd/api/v1/regions/count");
    expect(text).toMatch(/^\{\n {2}"count": \d+,\n {2}"regions": null\n\}\n$/);
  });
});

describe("cluster, config, health, members, version", () => {
  it("writes the cluster id beyond 2^53 as a raw JSON number", async () => {
    const { text } = await get("/pd/api/v1/cluster");
    const match = /^\{\n {2}"id": (\d+),\n {2}"max_peer_count": 3\n\}\n$/.exec(text);
    expect(match).not.toBeNull();
    const id = match?.[1] as string;
    expect(BigInt(id)).toBeGreaterThan(2n ** 53n);
    expect(String(JSON.parse(text).id)).not.toBe(id);
  });

  it("serves the replication config with booleans as strings", async () => {
    const body = JSON.parse((await get("/pd/api/v1/config/replicate")).text);
    expect(body).toEqual({
      "max-replicas": 3,
      "location-labels": "zone,host",
      "strictly-match-label": "false",
      "enable-placement-rules": "true",
      "enable-placement-rules-cache": "false",
      "isolation-level": "",
    });
  });

  it("reports max-store-down-time as a Go duration in /config and /config/schedule", async () => {
    const config = JSON.parse((await get("/pd/api/v1/config")).text);
    expect(config.schedule["max-store-down-time"]).toBe("2m0s");
    expect(config.schedule["low-space-ratio"]).toBe(0.8);
    const schedule = JSON.parse((await get("/pd/api/v1/config/schedule")).text);
    expect(schedule["max-store-down-time"]).toBe("2m0s");
  });

  it("answers /health (both paths) as an array and /ping with an empty 200", async () => {
    for (const path of ["/pd/api/v1/health", "/health"]) {
      const { status, text } = await get(path);
      expect(status).toBe(200);
      expectIndented(text);
      expect(text).toMatch(/"member_id": \d{19,20},/);
      const [member] = JSON.parse(text) as Record<string, unknown>[];
      expect(Object.keys(member ?? {})).toEqual(["name", "member_id", "client_urls", "health"]);
      expect(member?.health).toBe(true);
    }
    for (const path of ["/pd/api/v1/ping", "/ping"]) {
      const { status, text } = await get(path);
      expect(status).toBe(200);
      expect(text).toBe("");
    }
  });

  it("answers /members and /version", async () => {
    const members = JSON.parse((await get("/pd/api/v1/members")).text);
    expect(Object.keys(members)).toEqual(["header", "members", "leader", "etcd_leader"]);
    expect(members.members.map((m: { name: string }) => m.name)).toEqual(["pd-1", "pd-2", "pd-3"]);
    expect(members.members[0].client_urls).toEqual(["http://pd-1.sim:2379"]);
    expect(members.leader.name).toBe("pd-1");
    expect(JSON.parse((await get("/pd/api/v1/version")).text)).toEqual({
      version: "v8.5.0",
      build_time: "",
      hash: "",
      branch: "",
    });
  });

  it("answers unknown routes like Go's mux", async () => {
    const { status, text } = await get("/pd/api/v1/nope");
    expect(status).toBe(404);
    expect(text).toBe("404 page not found\n");
  });
});

describe("PD faults", () => {
  it("answers 503, garbage, nothing, or refuses connections, then recovers", async () => {
    cluster.setPdFault("unavailable");
    const unavailable = await get("/pd/api/v1/stores");
    expect(unavailable.status).toBe(503);
    expect(JSON.parse(unavailable.text)).toMatch(/no leader/);

    cluster.setPdFault("garbage");
    const garbage = await get("/pd/api/v1/stores");
    expect(garbage.status).toBe(200);
    expect(() => JSON.parse(garbage.text)).toThrow();

    cluster.setPdFault("hang");
    await expect(
      fetch(`${cluster.pdUrl}/pd/api/v1/stores`, { signal: AbortSignal.timeout(500) }),
    ).rejects.toThrow(/timeout|aborted/i);

    await cluster.apply({ fault: "pd", mode: "down" });
    const codes: string[] = [];
    await waitFor(async () => {
      const error = await fetch(`${cluster.pdUrl}/pd/api/v1/stores`).then(
        () => null,
        (e: Error & { cause?: { code?: string } }) => e,
      );
      codes.push(String(error?.cause?.code));
      return codes.at(-1) === "ECONNREFUSED";
    }, 3_000);
    expect(codes).not.toContain("undefined");

    await cluster.apply({ fault: "pd", mode: null });
    expect((await get("/pd/api/v1/stores")).status).toBe(200);
  });
});
