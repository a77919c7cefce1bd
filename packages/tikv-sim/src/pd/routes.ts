import type { ClusterModel } from "../model/cluster-model.ts";
import { REGION_CHECK_TYPES } from "../model/regions.ts";
import type { StoreModel } from "../model/store.ts";
import { type GoJsonValue, goJson, rfc3339Nano } from "./go-format.ts";
import { fullConfig, PD_GIT_HASH, PD_VERSION, replicationConfig, scheduleConfig } from "./pd-config.ts";
import { storeInfo } from "./store-info.ts";

/** A PD answer: status, body text and extra headers. */
export interface PdResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const JSON_TYPE = "application/json; charset=UTF-8";
const PREFIX = "/pd/api/v1";
const STORE_STATE_BY_NUMBER = ["Up", "Offline", "Tombstone"] as const;
const CHECK_STATES = new Set(["up", "offline", "tombstone", "down", "disconnected"]);

/** Answers one PD HTTP request from the cluster model, with PD's bodies, statuses and quirks. */
export function routePd(cluster: ClusterModel, pdUrl: string, method: string, url: URL): PdResponse {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (path === "/ping" || path === `${PREFIX}/ping`) return { status: 200, body: "", contentType: JSON_TYPE };
  if (path === "/health" || path === `${PREFIX}/health`) {
    return indented(
      cluster.pd.members.map((m) => ({
        name: m.name,
        member_id: m.memberId,
        client_urls: [m.clientUrl],
        health: m.healthy,
      })),
    );
  }
  if (!path.startsWith(`${PREFIX}/`)) return notFound();
  if (method !== "GET") return { status: 405, body: "", contentType: "text/plain; charset=utf-8" };
  const route = path.slice(PREFIX.length);
  switch (route) {
    case "/stores":
      return listStores(cluster, url.searchParams.getAll("state"));
    case "/stores/check":
      return checkStores(cluster, url.searchParams.getAll("state"));
    case "/regions/count":
      return indented({ count: cluster.regionTotal, regions: null });
    case "/cluster":
      return indented({ id: cluster.clusterId, max_peer_count: 3 });
    case "/cluster/status":
      return indented({
        raft_bootstrap_time: rfc3339Nano(
          BigInt(Math.floor(cluster.clock.simNow() / 1000) - 86_400 * 30) * 1_000_000_000n,
        ),
        is_initialized: true,
        replication_status: "",
      });
    case "/config":
      return indented(fullConfig(cluster, pdUrl));
    case "/config/schedule":
      return indented(scheduleConfig(cluster));
    case "/config/replicate":
      return indented(replicationConfig());
    case "/version":
      return indented({ version: PD_VERSION, build_time: "", hash: "", branch: "" });
    case "/status":
      return indented({
        build_ts: "2024-12-18 02:23:01",
        version: PD_VERSION,
        git_hash: PD_GIT_HASH,
        start_timestamp: Math.floor(cluster.clock.simNow() / 1000) - 86_400,
        kernel_type: "Classic",
      });
    case "/leader":
      return indented(leaderJson(cluster) ?? null);
    case "/members": {
      const leader = leaderJson(cluster);
      return indented({
        header: { cluster_id: cluster.clusterId },
        members: cluster.pd.members.map((m) => cluster.pd.memberJson(m, PD_VERSION, PD_GIT_HASH)),
        leader,
        etcd_leader: leader,
      });
    }
  }
  const store = /^\/store\/([^/]+)$/.exec(route);
  if (store) return getStore(cluster, store[1] as string);
  const check = /^\/regions\/check\/([^/]+)$/.exec(route);
  if (check && (REGION_CHECK_TYPES as readonly string[]).includes(check[1] as string)) {
    const ids = cluster.stores.map((s) => s.spec.id);
    const regions = cluster.regionFaults.regions(check[1] as string, ids, cluster.clock.simNow());
    return { status: 200, body: goJson({ count: regions.length, regions }, false), contentType: JSON_TYPE };
  }
  return notFound();
}

// --- Internal helpers ---

/** The leader as a `pdpb.Member`, or undefined (omitted) while PD has none. */
function leaderJson(cluster: ClusterModel): GoJsonValue | undefined {
  const leader = cluster.pd.leader === null ? undefined : cluster.pd.find(cluster.pd.leader);
  return leader && cluster.pd.memberJson(leader, PD_VERSION, PD_GIT_HASH);
}

function listStores(cluster: ClusterModel, states: readonly string[]): PdResponse {
  const wanted = new Set<string>();
  for (const raw of states) {
    if (!/^[+-]?\d+$/.test(raw))
      return stringError(500, `strconv.Atoi: parsing ${JSON.stringify(raw)}: invalid syntax`);
    const name = STORE_STATE_BY_NUMBER[Number(raw)];
    if (!name) return stringError(500, `unknown StoreState: ${Number(raw)}`);
    wanted.add(name);
  }
  if (wanted.size === 0) wanted.add("Up").add("Offline");
  return storesBody(
    cluster,
    cluster.stores.filter((s) => wanted.has(s.metaState)),
  );
}

function checkStores(cluster: ClusterModel, states: readonly string[]): PdResponse {
  const wanted = new Set<string>();
  for (const raw of states) {
    if (!CHECK_STATES.has(raw.toLowerCase())) return stringError(400, `unknown StoreState: ${raw}`);
    wanted.add(raw.toLowerCase());
  }
  const down = cluster.maxStoreDownTimeMs;
  const stores = cluster.stores.filter(
    (s) => wanted.size === 0 || wanted.has(s.stateName(down).toLowerCase()),
  );
  return storesBody(cluster, stores);
}

function storesBody(cluster: ClusterModel, stores: readonly StoreModel[]): PdResponse {
  const shuffled = [...stores];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j] as StoreModel, shuffled[i] as StoreModel];
  }
  return indented({ count: shuffled.length, stores: shuffled.map((s) => storeInfo(cluster, s)) });
}

function getStore(cluster: ClusterModel, raw: string): PdResponse {
  if (!/^\d+$/.test(raw) || BigInt(raw) > 0xffff_ffff_ffff_ffffn) {
    const reason = /^\d+$/.test(raw) ? "value out of range" : "invalid syntax";
    return {
      ...indented({
        code: "input",
        msg: `strconv.ParseUint: parsing ${JSON.stringify(raw)}: ${reason}`,
        data: {},
      }),
      status: 400,
      headers: { "TiDB-Error-Code": "input" },
    };
  }
  const store = cluster.findStore(Number(raw));
  if (!store) return stringError(404, `[PD:core:ErrStoreNotFound]store ${BigInt(raw)} not found`);
  return indented(storeInfo(cluster, store));
}

function indented(value: GoJsonValue): PdResponse {
  return { status: 200, body: goJson(value, true), contentType: JSON_TYPE };
}

function stringError(status: number, message: string): PdResponse {
  return { status, body: goJson(message, true), contentType: JSON_TYPE };
}

function notFound(): PdResponse {
  return { status: 404, body: "404 page not found\n", contentType: "text/plain; charset=utf-8" };
}
