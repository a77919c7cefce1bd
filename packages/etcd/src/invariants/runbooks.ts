import type { Runbook } from "@operator/core";

const DOCS = "https://etcd.io/docs/v3.5";

/** What to check first for each etcd invariant, with etcd's own operations page where one exists. */
export const RUNBOOKS = {
  memberUnreachable: {
    hint: "Check the etcd process and its log on the member's host, and that this host reaches the member's client URL",
    url: `${DOCS}/op-guide/failures/`,
  },
  noLeader: {
    hint: "Check that a majority of members run and reach each other on their peer URLs (`etcdctl endpoint status --cluster`)",
    url: `${DOCS}/op-guide/failures/`,
  },
  memberNoLeader: {
    hint: "Check the member's network path to its peers (peer URL, port 2380, firewall): it is cut off from the leader",
    url: `${DOCS}/op-guide/failures/`,
  },
  insufficientMembers: {
    hint: "Bring the down members back first (`etcdctl endpoint health --cluster`): without a majority etcd refuses every write",
    url: `${DOCS}/op-guide/failures/`,
  },
  leaderChanges: {
    hint: "Check WAL fsync latency and the network between members: a leader that misses heartbeats loses its term",
    url: `${DOCS}/tuning/`,
  },
  alarmActive: {
    hint: "NOSPACE: compact, defragment, then `etcdctl alarm disarm`; CORRUPT: stop the member and replace it from a healthy one",
    url: `${DOCS}/op-guide/maintenance/`,
  },
  backendQuota: {
    hint: "Compact old revisions and defragment (`etcdctl compact`, `etcdctl defrag`), or raise --quota-backend-bytes",
    url: `${DOCS}/op-guide/maintenance/#space-quota`,
  },
  walFsync: {
    hint: "Check the member's WAL disk (iostat await, other I/O on it): etcd needs a fast dedicated disk",
    url: `${DOCS}/op-guide/hardware/`,
  },
  backendCommit: {
    hint: "Check the member's data disk (iostat await, other I/O on it) and the database size",
    url: `${DOCS}/op-guide/hardware/`,
  },
  grpcFailed: {
    hint: "See which gRPC codes fail (values), then the member's log: Unavailable and DeadlineExceeded mostly mean leader loss or overload",
  },
  proposalsFailed: {
    hint: "Look for leader elections or a lost quorum around the failures (member log, leader_changes, member_no_leader)",
  },
  grpcLatency: {
    hint: "Check disk latency and CPU on the member first, then expensive requests (large ranges, many watchers)",
    url: `${DOCS}/tuning/`,
  },
  peerRoundTrip: {
    hint: "Check the network between the member and its slowest peer (latency, packet loss, bandwidth)",
    url: `${DOCS}/tuning/`,
  },
  dbGrowth: {
    hint: "Check auto-compaction (--auto-compaction-retention) and which keys grow; compact and defragment or raise the quota in time",
    url: `${DOCS}/op-guide/maintenance/`,
  },
  dbFragmentation: {
    hint: "Defragment the member (`etcdctl defrag --endpoints=<member>`), one member at a time",
    url: `${DOCS}/op-guide/maintenance/#defragmentation`,
  },
} as const satisfies Record<string, Runbook>;
