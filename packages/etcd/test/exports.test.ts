import { expect, it } from "vitest";
import * as api from "../src/index.ts";

it("exposes exactly the documented runtime surface, with the factory as default", () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      "CLUSTER_ENTITY",
      "DEFAULT_TIMEOUT_MS",
      "ETCD_INVARIANTS",
      "EtcdRequestError",
      "ExpositionParseError",
      "SUBJECT_KIND",
      "alarmActive",
      "backendCommitLatency",
      "backendQuota",
      "bucketQuantile",
      "dbFragmentation",
      "dbGrowth",
      "grpcFailedRequests",
      "grpcLatency",
      "insufficientMembers",
      "memberNoLeader",
      "peerRoundTrip",
      "proposalsFailed",
      "default",
      "etcdSubject",
      "leaderChanges",
      "memberUnreachable",
      "noLeader",
      "parseExposition",
      "walFsyncLatency",
    ].sort(),
  );
  expect(api.default).toBe(api.etcdSubject);
});
