import { testSubject } from "@operator/core/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import etcd, { type EtcdObservation } from "../src/index.ts";
import { startCluster, type TestCluster } from "./helpers/etcd-cluster.ts";

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster({ size: 1 });
});
afterAll(async () => {
  await cluster?.stop();
});

testSubject<EtcdObservation>({
  name: "etcd (live single member)",
  create: () => etcd({ name: "conformance", endpoints: [...cluster.endpoints] }),
  unreachable: () => etcd({ name: "conformance", endpoints: ["http://127.0.0.1:1"], timeoutMs: 1000 }),
  additionalTests: (context) => {
    it("observes the live member as reachable and named", async () => {
      const observation = await context.observation();
      expect(observation.members).toEqual([expect.objectContaining({ entity: "n1", reachable: true })]);
    });
  },
});
