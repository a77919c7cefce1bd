import type { ElementSchema } from "@operator/subject-kit";
import { parseByteSize } from "./byte-size.ts";
import { normaliseStore, type RawStore, type RawStoreStatus, storeInfo } from "./pd-schemas.ts";

/**
 * Checks one `GET /stores` entry by hand, for the common case: every field present is of the type
 * the schema wants. Returns exactly what `storeInfo` returns for such an entry, or `undefined` for
 * anything else (a wrong type, a `null`, an unparsable size), which the schema then checks to name
 * the field. On 1,000 stores the schema allocated about 11 MB a cycle; this check allocates only
 * the result.
 */
export function checkStore(value: unknown): ReturnType<typeof normaliseStore> | undefined {
  if (!_isObject(value)) return undefined;
  const store = _metaStore(value.store);
  if (store === undefined) return undefined;
  const status = value.status === undefined ? DEFAULT_STATUS : _status(value.status);
  return status === undefined ? undefined : normaliseStore(store, status);
}

/** `storeInfo` with {@link checkStore} first: what the PD client validates `/stores` entries with. */
export const STORE_ELEMENT: ElementSchema = {
  safeParse(value) {
    const store = checkStore(value);
    return store === undefined ? storeInfo.safeParse(value) : { success: true, data: store };
  },
};

// --- Internal helpers ---

type Json = Record<string, unknown>;

function _metaStore(value: unknown): RawStore | undefined {
  if (!_isObject(value)) return undefined;
  const id = _uint64(value.id);
  const state = _choice(value.state, 2);
  const nodeState = _choice(value.node_state, 3);
  const labels = _labels(value.labels);
  const startTimestamp = value.start_timestamp;
  const heartbeat = value.last_heartbeat;
  const destroyed = _flag(value.physically_destroyed);
  const stateName = value.state_name;
  if (
    id === undefined ||
    typeof value.address !== "string" ||
    state === undefined ||
    nodeState === undefined ||
    labels === false ||
    !_optionalStrings(value, STORE_STRINGS) ||
    (startTimestamp !== undefined && !Number.isSafeInteger(startTimestamp)) ||
    (heartbeat !== undefined && typeof heartbeat !== "bigint" && !Number.isSafeInteger(heartbeat)) ||
    destroyed === undefined ||
    typeof stateName !== "string" ||
    stateName === ""
  ) {
    return undefined;
  }
  return {
    id,
    address: value.address,
    state: state as RawStore["state"],
    labels,
    version: value.version as string | undefined,
    peer_address: value.peer_address as string | undefined,
    status_address: value.status_address as string | undefined,
    git_hash: value.git_hash as string | undefined,
    start_timestamp: startTimestamp as number | undefined,
    deploy_path: value.deploy_path as string | undefined,
    last_heartbeat: heartbeat === undefined ? undefined : BigInt(heartbeat as number | bigint),
    physically_destroyed: destroyed,
    node_state: nodeState as RawStore["node_state"],
    state_name: stateName,
  };
}

const STORE_STRINGS = ["version", "peer_address", "status_address", "git_hash", "deploy_path"] as const;
const STATUS_STRINGS = ["start_ts", "last_heartbeat_ts", "uptime"] as const;
const COUNTS = [
  "leader_count",
  "leader_size",
  "region_count",
  "region_size",
  "learner_count",
  "witness_count",
  "pending_peer_count",
  "sending_snap_count",
  "receiving_snap_count",
] as const;

const DEFAULT_STATUS: RawStoreStatus = _status({}) as RawStoreStatus;

function _status(value: unknown): RawStoreStatus | undefined {
  if (!_isObject(value)) return undefined;
  const capacity = _size(value.capacity);
  const available = _size(value.available);
  const used = _size(value.used_size);
  const leaderWeight = _number(value.leader_weight, 1);
  const leaderScore = _number(value.leader_score, 0);
  const regionWeight = _number(value.region_weight, 1);
  const regionScore = _number(value.region_score, 0);
  const slowScore = value.slow_score;
  const networkSlowScore = _scores(value.network_slow_score);
  const slowTrend = _slowTrend(value.slow_trend);
  const busy = _flag(value.is_busy);
  const pauseIn = _flag(value.pause_leader_transfer_in);
  const pauseOut = _flag(value.pause_leader_transfer_out);
  const counts: Partial<Record<(typeof COUNTS)[number], number>> = {};
  for (const name of COUNTS) {
    const count = value[name] === undefined ? 0 : value[name];
    if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return undefined;
    counts[name] = count;
  }
  if (
    capacity === false ||
    available === false ||
    used === false ||
    leaderWeight === undefined ||
    leaderScore === undefined ||
    regionWeight === undefined ||
    regionScore === undefined ||
    (slowScore !== undefined && !_isFinite(slowScore)) ||
    networkSlowScore === false ||
    slowTrend === false ||
    busy === undefined ||
    pauseIn === undefined ||
    pauseOut === undefined ||
    !_optionalStrings(value, STATUS_STRINGS)
  ) {
    return undefined;
  }
  return {
    capacity,
    available,
    used_size: used,
    leader_count: counts.leader_count as number,
    leader_weight: leaderWeight,
    leader_score: leaderScore,
    leader_size: counts.leader_size as number,
    region_count: counts.region_count as number,
    region_weight: regionWeight,
    region_score: regionScore,
    region_size: counts.region_size as number,
    learner_count: counts.learner_count as number,
    witness_count: counts.witness_count as number,
    pending_peer_count: counts.pending_peer_count as number,
    slow_score: slowScore as number | undefined,
    network_slow_score: networkSlowScore,
    slow_trend: slowTrend,
    sending_snap_count: counts.sending_snap_count as number,
    receiving_snap_count: counts.receiving_snap_count as number,
    is_busy: busy,
    start_ts: value.start_ts as string | undefined,
    last_heartbeat_ts: value.last_heartbeat_ts as string | undefined,
    uptime: value.uptime as string | undefined,
    pause_leader_transfer_in: pauseIn,
    pause_leader_transfer_out: pauseOut,
  };
}

function _isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function _isFinite(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

/** A uint64 id as its decimal string (see the schema's `uint64`). */
function _uint64(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) && value >= 0 ? String(value) : undefined;
  if (typeof value === "bigint") return value >= 0n ? value.toString() : undefined;
  return undefined;
}

/** An enum number from 0 to `max`, 0 when absent. */
function _choice(value: unknown, max: number): number | undefined {
  if (value === undefined) return 0;
  return value === 0 || value === 1 || value === 2 || value === 3
    ? value <= max
      ? value
      : undefined
    : undefined;
}

/** A boolean, false when absent. */
function _flag(value: unknown): boolean | undefined {
  if (value === undefined) return false;
  return typeof value === "boolean" ? value : undefined;
}

function _number(value: unknown, absent: number): number | undefined {
  if (value === undefined) return absent;
  return _isFinite(value) ? value : undefined;
}

/** A byte size such as `"1.967TiB"` in bytes; `false` when it is not one. */
function _size(value: unknown): number | undefined | false {
  if (value === undefined) return undefined;
  const bytes = typeof value === "string" ? parseByteSize(value) : undefined;
  return bytes ?? false;
}

function _optionalStrings(value: Json, names: readonly string[]): boolean {
  for (const name of names) {
    const field = value[name];
    if (field !== undefined && typeof field !== "string") return false;
  }
  return true;
}

/** `[{key, value}]` label pairs, kept as they are (`null` and absent too); `false` when malformed. */
function _labels(value: unknown): RawStore["labels"] | false {
  if (value === undefined || value === null) return value;
  if (!Array.isArray(value)) return false;
  for (const label of value) {
    if (!_isObject(label) || typeof label.key !== "string" || typeof label.value !== "string") return false;
  }
  return value as { key: string; value: string }[];
}

function _scores(value: unknown): Record<string, number> | undefined | false {
  if (value === undefined) return undefined;
  if (!_isObject(value)) return false;
  const scores: Record<string, number> = {};
  for (const key of Object.keys(value)) {
    const score = value[key];
    if (!_isFinite(score)) return false;
    scores[key] = score;
  }
  return scores;
}

function _slowTrend(value: unknown): RawStoreStatus["slow_trend"] | false {
  if (value === undefined) return undefined;
  if (!_isObject(value)) return false;
  const trend = {
    cause_value: _number(value.cause_value, 0),
    cause_rate: _number(value.cause_rate, 0),
    result_value: _number(value.result_value, 0),
    result_rate: _number(value.result_rate, 0),
  };
  return Object.values(trend).includes(undefined)
    ? false
    : (trend as NonNullable<RawStoreStatus["slow_trend"]>);
}
