import { createMemoryTicketStore, createMonitor, type Logger, type Ticket } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import etcd from "../src/index.ts";
import { startCluster, type TestCluster, waitFor } from "./helpers/etcd-cluster.ts";

const quiet: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe("etcd subject run by core's monitor (memory ticket store)", () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster({ size: 3 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("opens member_unreachable after its grace period, and resolves it when the member returns", async () => {
    const subject = etcd({
      name: "trio",
      endpoints: [...cluster.endpoints],
      timeoutMs: 1000,
      invariants: { member_unreachable: { for: "2s" } },
    });
    const store = createMemoryTicketStore();
    const monitor = createMonitor({ subjects: [subject], store, intervalMs: 5000, logger: quiet });
    const key = "trio/member_unreachable/n2";
    const ticketsOf = async (): Promise<readonly Ticket[]> =>
      (await store.listTickets({ includeResolved: true })).tickets.filter((ticket) => ticket.key === key);

    const healthy = await monitor.runOnce();
    expect(healthy.failures).toEqual({});
    expect(healthy.opened).toEqual([]);

    await cluster.kill("n2");
    const firstSeen = await monitor.runOnce();
    expect(firstSeen.findings).toContainEqual(expect.objectContaining({ key, outcome: "violated" }));
    expect(firstSeen.opened).toEqual([]);
    expect(await ticketsOf()).toEqual([]);

    await waitFor(async () => (await monitor.runOnce()).opened.some((ticket) => ticket.key === key), 30_000);
    const [open] = await ticketsOf();
    expect(open).toMatchObject({ status: "open", severity: "critical", entity: "n2", resolvedAt: null });
    expect(open?.lastValues).toMatchObject({ endpoint: cluster.endpoints[1] });

    await cluster.restart("n2");
    await waitFor(
      async () => (await monitor.runOnce()).resolved.some((ticket) => ticket.key === key),
      30_000,
    );
    const after = await ticketsOf();
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ status: "resolved", resolvedBy: "monitor" });
    await monitor.stop();
  }, 120_000);
});
