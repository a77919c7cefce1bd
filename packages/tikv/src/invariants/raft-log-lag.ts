import type { MetricInvariant } from "./metric-invariant.ts";
import { quantileInvariant } from "./quantile-invariant.ts";

/**
 * Followers on each store keep up with their leaders: the p99 of raft log lag (entries a follower
 * is behind when a leader sends to it) stays at or below `entries` (5000), as the official
 * `TiKV_raft_log_lag` (critical after 1 m).
 */
export const raftLogLag: MetricInvariant = quantileInvariant({
  name: "raft_log_lag",
  description:
    "Raft followers on every TiKV store lag their leaders by at most the threshold of log entries (p99).",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's network to its peers and its raft append/apply latency; a lagging follower may need a snapshot (pd-ctl region check pending-peer)",
  },
  metric: "tikv_raftstore_log_lag",
  quantile: 0.99,
  key: "raftLogLagP99",
  threshold: { name: "entries", value: 5000 },
  unit: "count",
  what: "raft log lag p99 (entries)",
  consequence: "followers fall behind and may need snapshots",
});
