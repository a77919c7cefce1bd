import { type BatchedAnswer, readBatched } from "./batched-reads.ts";
import type { CallContext } from "./http.ts";
import { sourceFailure } from "./metric-readings.ts";
import type { MetricReading, SourceFailure } from "./observation.ts";
import {
  memberHealthResponse,
  membersResponse,
  type PdMemberHealthEntry,
  type PdMembers,
} from "./pd-api-schemas.ts";
import type { PdClient } from "./pd-client.ts";
import type { PrometheusClient } from "./prometheus-client.ts";

/** The PD metric readings a cycle can make (PD's own `/metrics`, through Prometheus). */
export type PdMetricName =
  | "etcdWalFsyncP99"
  | "etcdPeerRttP99"
  | "tsoSystemTimeSlow"
  | "tsoSaves"
  | "cpuQuota"
  | "memoryQuota"
  | "etcdDbQuota";

/** The `part` label of a quota reading's samples: the amount used, or the quota it is a share of. */
export const QUOTA_PART = "part";

/** Range of the `increase()` of PD's system-time-slow counter (the official rule's 10 m). */
export const CLOCK_WINDOW = "10m";

/**
 * The PromQL of each PD reading, grouped by `instance` (all in one batched request, whatever the
 * number of members); samples are joined to members by `instance` = host:port of a member's client URL.
 *
 * - `etcdWalFsyncP99`: p99 of the embedded etcd's WAL fsync per member.
 * - `etcdPeerRttP99`: p99 round trip from each member to each peer (`To` = peer id in hex).
 * - `tsoSystemTimeSlow`: times PD found its system clock behind the last timestamp it allocated,
 *   with `increase()` (the official rule's `changes()` also counts a restart's counter reset). A
 *   member without the counter (PD creates it on first use) counts 0 when it is scraped at all
 *   (`etcd_server_is_leader`, which every PD exports).
 * - `tsoSaves`: how often each member saved its TSO window over the leader-change window; only the
 *   leader saves (every 3 s), so the members with an increase are the leaders of that window.
 * - `cpuQuota`, `memoryQuota`, `etcdDbQuota`: the amount used and the quota per member in one
 *   query, told apart by the `part` label (`used`, `quota`), so the ratio and both figures are
 *   known: CPU used over the rate window and `pd_service_maxprocs`; resident memory and
 *   `pd_service_memory_quota_bytes`; the embedded etcd's backend size and its quota. The amount
 *   used is read only for instances with `etcd_server_is_leader`, so not for every TiKV store.
 */
export function buildPdQueries(
  rateWindow: string,
  leaderWindowSeconds = 600,
): Readonly<Record<PdMetricName, string>> {
  return {
    tsoSaves: `sum(increase(pd_tso_events{type="save"}[${Math.round(leaderWindowSeconds)}s])) by (instance)`,
    etcdWalFsyncP99: `histogram_quantile(0.99, sum(rate(etcd_disk_wal_fsync_duration_seconds_bucket[${rateWindow}])) by (instance, le))`,
    etcdPeerRttP99: `histogram_quantile(0.99, sum(rate(etcd_network_peer_round_trip_time_seconds_bucket[${rateWindow}])) by (instance, To, le))`,
    tsoSystemTimeSlow: `sum(increase(pd_tso_events{type="system_time_slow"}[${CLOCK_WINDOW}])) by (instance) or sum(etcd_server_is_leader * 0) by (instance)`,
    cpuQuota: _quotaQuery(`rate(process_cpu_seconds_total[${rateWindow}])`, "pd_service_maxprocs"),
    memoryQuota: _quotaQuery("process_resident_memory_bytes", "pd_service_memory_quota_bytes"),
    etcdDbQuota: _quotaQuery("etcd_mvcc_db_total_size_in_bytes", "etcd_server_quota_backend_bytes"),
  };
}

/** One move of PD's leadership seen between two cycles. */
export interface LeaderChange {
  /** When the new leader was first seen, epoch ms. */
  readonly at: number;
  /** The leader seen before (null: none was known). */
  readonly from: string | null;
  /** The new leader. */
  readonly to: string;
}

/** PD's leaders as this subject saw them, cycle after cycle (kept in memory, lost on restart). */
export interface LeaderHistory {
  /** First successful reading, epoch ms: changes before it are not known. */
  readonly since: number;
  /** Successful readings so far. */
  readonly readings: number;
  /** The leader now, or null while PD has none. */
  readonly leader: string | null;
  /** The last leader seen by name (null before the first). */
  readonly lastLeader: string | null;
  /** Changes seen, oldest first, at most {@link MAX_LEADER_CHANGES}, none older than a day. */
  readonly changes: readonly LeaderChange[];
}

/** Most leader changes kept. */
export const MAX_LEADER_CHANGES = 200;
/** Oldest leader change kept, ms: no window may be longer. */
export const MAX_LEADER_WINDOW_MS = 24 * 3_600_000;

/** What one cycle read from PD's own API and metrics; each part may fail on its own. */
export interface PdApiObservation {
  /** `/health`: every member's health, or why it could not be read. */
  readonly health: readonly PdMemberHealthEntry[] | { readonly error: SourceFailure };
  /** `/members`: the members and the leaders, or why it could not be read. */
  readonly members: PdMembers | { readonly error: SourceFailure };
  /** The leader history including this cycle, or why it is not known this cycle. */
  readonly leaderHistory: LeaderHistory | { readonly unknown: string };
  /** PD metric readings by name; absent without Prometheus or when no enabled invariant needs one. */
  readonly metrics: Readonly<Partial<Record<PdMetricName, MetricReading>>>;
}

/** What {@link createPdReader} reads from. */
export interface PdReaderSources {
  readonly pd: PdClient;
  readonly prometheus?: PrometheusClient | undefined;
  /** The PD metric queries to run (those the enabled invariants need). */
  readonly queries: Readonly<Partial<Record<PdMetricName, string>>>;
}

/**
 * Reads PD's `/health` and `/members` and the PD metric queries, in parallel (2 PD requests, and the
 * queries batched into one Prometheus request, see `readBatched`), and keeps the leader history
 * across cycles. Never throws: each failure is recorded for the invariants that need it.
 */
export function createPdReader(
  sources: PdReaderSources,
): (call: CallContext, at: number) => Promise<PdApiObservation> {
  let history: LeaderHistory | undefined;
  let gap = false;
  return async (call, at) => {
    const prometheus = sources.prometheus;
    const entries = prometheus ? (Object.entries(sources.queries) as [PdMetricName, string][]) : [];
    const [health, members, answers] = await Promise.all([
      sources.pd.get("/health", memberHealthResponse, call).then(_ok, _failed),
      sources.pd.get("/members", membersResponse, call).then(_ok, _failed),
      prometheus
        ? readBatched(
            prometheus,
            entries.map(([, query]) => query),
            call,
          )
        : [],
    ]);
    const metrics: Partial<Record<PdMetricName, MetricReading>> = {};
    entries.forEach(([name, query], i) => {
      const answer = answers[i] as BatchedAnswer;
      metrics[name] =
        "error" in answer
          ? { query, error: sourceFailure(answer.error) }
          : { query, samples: answer.samples, warnings: answer.warnings };
    });
    let leaderHistory: PdApiObservation["leaderHistory"];
    if ("error" in members) {
      leaderHistory = { unknown: `PD's members could not be read: ${members.error.message}` };
    } else {
      const next = recordLeader(history, members.leader, at, gap);
      history = next.history;
      gap = next.gap;
      leaderHistory = history;
    }
    return { health, members, leaderHistory, metrics };
  };
}

/**
 * Adds one reading of PD's leader to a history. A change is a leader other than the last one seen,
 * or the same one again after a cycle in which PD had none (an election happened either way).
 */
export function recordLeader(
  previous: LeaderHistory | undefined,
  leader: string | null,
  at: number,
  hadGap: boolean,
): { history: LeaderHistory; gap: boolean } {
  const gap = leader === null;
  if (!previous) return { history: { since: at, readings: 1, leader, lastLeader: leader, changes: [] }, gap };
  let changes = previous.changes;
  if (leader !== null && (leader !== previous.lastLeader || hadGap)) {
    changes = [...changes, { at, from: previous.lastLeader, to: leader }];
  }
  changes = changes.filter((change) => change.at > at - MAX_LEADER_WINDOW_MS).slice(-MAX_LEADER_CHANGES);
  const lastLeader = leader ?? previous.lastLeader;
  return {
    history: { since: previous.since, readings: previous.readings + 1, leader, lastLeader, changes },
    gap,
  };
}

// --- Internal helpers ---

/**
 * The amount used is kept to PD's instances (those with `etcd_server_is_leader`): a metric every
 * process exports, such as `process_cpu_seconds_total`, would otherwise bring one sample per TiKV
 * store, about 100 KB a cycle at 1,000 stores.
 */
function _quotaQuery(used: string, quota: string): string {
  const part = (expr: string, name: string) =>
    `label_replace(${expr}, "${QUOTA_PART}", "${name}", "instance", ".*")`;
  const usedByPd = `sum(${used}) by (instance) and on (instance) etcd_server_is_leader`;
  return `${part(usedByPd, "used")} or ${part(`sum(${quota}) by (instance)`, "quota")}`;
}

function _ok<T>(value: T): T {
  return value;
}

function _failed(error: unknown): { readonly error: SourceFailure } {
  return { error: sourceFailure(error) };
}
