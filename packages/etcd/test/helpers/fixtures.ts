import type {
  ClusterMember,
  EtcdObservation,
  MemberMetrics,
  MemberObservation,
  MemberStatus,
} from "../../src/index.ts";

/** A healthy member's metrics; override what a case needs. */
export function metrics(overrides: Partial<MemberMetrics> = {}): MemberMetrics {
  return {
    hasLeader: 1,
    isLeader: 0,
    leaderChangesTotal: 1,
    dbTotalSizeBytes: 1024 * 1024,
    dbInUseBytes: 512 * 1024,
    quotaBackendBytes: 8 * 1024 * 1024,
    proposalsFailedTotal: 0,
    walFsync: undefined,
    backendCommit: undefined,
    ...overrides,
  };
}

/** The status API's answer of a member following n1; override what a case needs. */
export function status(name: string, overrides: Partial<MemberStatus> = {}): MemberStatus {
  return {
    clusterId: "14841639068965178418",
    memberId: idOf(name),
    version: "3.4.23",
    leader: idOf("n1"),
    dbSizeBytes: 1024 * 1024,
    dbSizeInUseBytes: 512 * 1024,
    raftTerm: 2,
    errors: [],
    isLearner: false,
    ...overrides,
  };
}

/** A reachable, healthy member named `name` at `http://<name>:2379`. */
export function member(name: string, overrides: Partial<MemberObservation> = {}): MemberObservation {
  return {
    endpoint: `http://${name}:2379`,
    entity: name,
    reachable: true,
    health: { healthy: true, status: 200 },
    metrics: metrics(),
    status: status(name),
    alarms: [],
    errors: {},
    leaderChanges: { increase: 0, windowMs: 600_000, coveredMs: 600_000, source: "members" },
    walFsync: { p99Seconds: 0.002, operations: 10, windowMs: 30_000, source: "members" },
    backendCommit: { p99Seconds: 0.004, operations: 10, windowMs: 30_000, source: "members" },
    proposalsFailed: { increase: 0, windowMs: 900_000, coveredMs: 900_000, source: "members" },
    grpcRequests: {
      total: 1000,
      failed: 0,
      failedByCode: {},
      windowMs: 300_000,
      coveredMs: 300_000,
      source: "members",
    },
    grpcLatency: { p99Seconds: 0.01, operations: 1000, windowMs: 30_000, source: "members" },
    peerLatency: {
      peers: [{ peer: "2001", p99Seconds: 0.002 }],
      windowMs: 30_000,
      source: "members",
    },
    dbGrowth: {
      predicted: 1024 * 1024,
      bytesPerHour: 0,
      horizonMs: 14_400_000,
      windowMs: 14_400_000,
      coveredMs: 14_400_000,
      source: "members",
    },
    ...overrides,
  };
}

/** A member that answered nothing. */
export function downMember(name: string): MemberObservation {
  return member(name, {
    reachable: false,
    health: undefined,
    metrics: undefined,
    status: undefined,
    alarms: undefined,
    errors: {
      health: "ECONNREFUSED",
      metrics: "ECONNREFUSED",
      status: "ECONNREFUSED",
      alarms: "ECONNREFUSED",
    },
    leaderChanges: { unknown: "ECONNREFUSED" },
    walFsync: { unknown: "ECONNREFUSED" },
    backendCommit: { unknown: "ECONNREFUSED" },
    proposalsFailed: { unknown: "ECONNREFUSED" },
    grpcRequests: { unknown: "ECONNREFUSED" },
    grpcLatency: { unknown: "ECONNREFUSED" },
    peerLatency: { unknown: "ECONNREFUSED" },
    dbGrowth: { unknown: "ECONNREFUSED" },
  });
}

/** The member-list entry of a fixture member. */
export function listed(name: string): ClusterMember {
  return {
    id: idOf(name),
    name,
    peerUrls: [`http://${name}:2380`],
    clientUrls: [`http://${name}:2379`],
    isLearner: false,
  };
}

/** An observation of `members`, whose member list lists them all. */
export function observation(
  members: readonly MemberObservation[],
  overrides: Partial<EtcdObservation> = {},
): EtcdObservation {
  return {
    at: 1_700_000_000_000,
    clusterId: "14841639068965178418",
    members,
    cluster: { members: members.map((entry) => listed(entry.entity)), cached: false },
    alarms: [],
    prometheusError: undefined,
    sources: { member_list: null },
    ...overrides,
  };
}

/** A stable fake member id per name. */
export function idOf(name: string): string {
  return String(1000 + [...name].reduce((sum, char) => sum + char.charCodeAt(0), 0));
}
