import { z } from "zod";
import { parseByteSize } from "./byte-size.ts";

/** uint64 ids arrive as number or (beyond 2^53) bigint; both become a decimal string. */
export const uint64 = z
  .union([z.number().int().nonnegative(), z.bigint().nonnegative()], {
    error: "expected a non-negative integer",
  })
  .transform((value) => value.toString());

const int = z.number().int();
const nanos = z.union([int, z.bigint()]).transform((value) => BigInt(value));

const byteSize = z.string().transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) {
    ctx.addIssue({
      code: "custom",
      message: `expected a byte size such as "1.967TiB", got ${JSON.stringify(value)}`,
    });
    return z.NEVER;
  }
  return bytes;
});

const STORE_STATES = ["Up", "Offline", "Tombstone"] as const;
const NODE_STATES = ["Preparing", "Serving", "Removing", "Removed"] as const;

const metaStore = z.object({
  id: uint64,
  address: z.string(),
  state: z
    .union([z.literal(0), z.literal(1), z.literal(2)], {
      error: "expected 0 (Up), 1 (Offline) or 2 (Tombstone)",
    })
    .default(0),
  labels: z.array(z.object({ key: z.string(), value: z.string() })).nullish(),
  version: z.string().optional(),
  peer_address: z.string().optional(),
  status_address: z.string().optional(),
  git_hash: z.string().optional(),
  start_timestamp: int.optional(),
  deploy_path: z.string().optional(),
  last_heartbeat: nanos.optional(),
  physically_destroyed: z.boolean().default(false),
  node_state: z
    .union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)], {
      error: "expected 0 (Preparing), 1 (Serving), 2 (Removing) or 3 (Removed)",
    })
    .default(0),
  state_name: z.string().min(1),
});

const count = int.nonnegative().default(0);

const storeStatus = z.object({
  capacity: byteSize.optional(),
  available: byteSize.optional(),
  used_size: byteSize.optional(),
  leader_count: count,
  leader_weight: z.number().default(1),
  leader_score: z.number().default(0),
  leader_size: count,
  region_count: count,
  region_weight: z.number().default(1),
  region_score: z.number().default(0),
  region_size: count,
  learner_count: count,
  witness_count: count,
  pending_peer_count: count,
  slow_score: z.number().optional(),
  network_slow_score: z.record(z.string(), z.number()).optional(),
  slow_trend: z
    .object({
      cause_value: z.number().default(0),
      cause_rate: z.number().default(0),
      result_value: z.number().default(0),
      result_rate: z.number().default(0),
    })
    .optional(),
  sending_snap_count: count,
  receiving_snap_count: count,
  is_busy: z.boolean().default(false),
  start_ts: z.string().optional(),
  last_heartbeat_ts: z.string().optional(),
  uptime: z.string().optional(),
  pause_leader_transfer_in: z.boolean().default(false),
  pause_leader_transfer_out: z.boolean().default(false),
});

/** One entry of `GET /stores` (and the body of `GET /store/{id}`), normalised. */
export const storeInfo = z
  .object({ store: metaStore, status: storeStatus.default(storeStatus.parse({})) })
  .transform(({ store, status }) => normaliseStore(store, status));

/** A store entry as PD writes it, with the schema's defaults applied. */
export type RawStore = z.output<typeof metaStore>;
/** A store's status as PD writes it, with the schema's defaults applied. */
export type RawStoreStatus = z.output<typeof storeStatus>;

/** The normalised store that {@link storeInfo} and `pd-store-check.ts` both return. */
export function normaliseStore(store: RawStore, status: RawStoreStatus) {
  const labels = Object.fromEntries((store.labels ?? []).map((label) => [label.key, label.value]));
  return {
    id: store.id,
    address: store.address,
    state: STORE_STATES[store.state],
    stateName: store.state_name,
    nodeState: NODE_STATES[store.node_state],
    labels,
    engine: labels.engine === "tiflash" ? ("tiflash" as const) : ("tikv" as const),
    version: store.version,
    peerAddress: store.peer_address,
    statusAddress: store.status_address,
    gitHash: store.git_hash,
    startTimestamp: store.start_timestamp,
    deployPath: store.deploy_path,
    lastHeartbeat: store.last_heartbeat === undefined ? undefined : Number(store.last_heartbeat / 1_000_000n),
    lastHeartbeatNs: store.last_heartbeat?.toString(),
    physicallyDestroyed: store.physically_destroyed,
    status: {
      capacityBytes: status.capacity,
      availableBytes: status.available,
      usedBytes: status.used_size,
      leaderCount: status.leader_count,
      leaderWeight: status.leader_weight,
      leaderScore: status.leader_score,
      leaderSize: status.leader_size,
      regionCount: status.region_count,
      regionWeight: status.region_weight,
      regionScore: status.region_score,
      regionSize: status.region_size,
      learnerCount: status.learner_count,
      witnessCount: status.witness_count,
      pendingPeerCount: status.pending_peer_count,
      slowScore: status.slow_score,
      networkSlowScore: status.network_slow_score,
      slowTrend: status.slow_trend && {
        causeValue: status.slow_trend.cause_value,
        causeRate: status.slow_trend.cause_rate,
        resultValue: status.slow_trend.result_value,
        resultRate: status.slow_trend.result_rate,
      },
      sendingSnapCount: status.sending_snap_count,
      receivingSnapCount: status.receiving_snap_count,
      isBusy: status.is_busy,
      startTs: status.start_ts,
      lastHeartbeatTs: status.last_heartbeat_ts,
      uptime: status.uptime,
      pauseLeaderTransferIn: status.pause_leader_transfer_in,
      pauseLeaderTransferOut: status.pause_leader_transfer_out,
    },
  };
}

/** `GET /stores`: `{"count": N, "stores": [...]}`; PD writes `null` for no stores in old versions. */
export const storesResponse = z.object({
  count: count,
  stores: z
    .array(storeInfo)
    .nullish()
    .transform((stores) => stores ?? []),
});

const ROLE_NAMES = ["Voter", "Learner", "IncomingVoter", "DemotingVoter"] as const;

const metaPeer = z
  .object({
    role_name: z.string().optional(),
    id: uint64.optional(),
    store_id: uint64.optional(),
    role: int.min(0).max(3).default(0),
    is_witness: z.boolean().default(false),
  })
  .transform((peer) => ({
    id: peer.id ?? "0",
    storeId: peer.store_id ?? "0",
    role: peer.role_name ?? ROLE_NAMES[peer.role] ?? "Voter",
    isWitness: peer.is_witness,
  }));

/** One region from a region endpoint (compact easyjson body), normalised. */
export const regionInfo = z
  .object({
    id: uint64,
    start_key: z.string().default(""),
    end_key: z.string().default(""),
    peers: z.array(metaPeer).nullish(),
    leader: metaPeer.nullish(),
    down_peers: z.array(z.object({ peer: metaPeer, down_seconds: int.nonnegative().default(0) })).nullish(),
    pending_peers: z.array(metaPeer).nullish(),
    approximate_size: z.number().default(0),
    approximate_keys: z.number().default(0),
  })
  .transform((region) => ({
    id: region.id,
    startKey: region.start_key,
    endKey: region.end_key,
    peers: region.peers ?? [],
    leader: region.leader && region.leader.id !== "0" ? region.leader : undefined,
    downPeers: (region.down_peers ?? []).map((down) => ({ peer: down.peer, downSeconds: down.down_seconds })),
    pendingPeers: region.pending_peers ?? [],
    approximateSize: region.approximate_size,
    approximateKeys: region.approximate_keys,
  }));

/** `GET /regions/check/{type}`: `{"count": N, "regions": [...]}`. */
export const regionsResponse = z.object({
  count: count,
  regions: z
    .array(regionInfo)
    .nullish()
    .transform((regions) => regions ?? []),
});

/** `GET /health`: one entry per PD member. */
export const healthResponse = z.array(
  z
    .object({
      name: z.string(),
      member_id: uint64,
      client_urls: z.array(z.string()).nullish(),
      health: z.boolean(),
    })
    .transform((member) => ({
      name: member.name,
      memberId: member.member_id,
      clientUrls: member.client_urls ?? [],
      health: member.health,
    })),
);

/** `GET /cluster`: `{"id": 6493707687106161130, "max_peer_count": 3}`. */
export const clusterResponse = z
  .object({ id: uint64, max_peer_count: count })
  .transform((cluster) => ({ id: cluster.id, maxPeerCount: cluster.max_peer_count }));
