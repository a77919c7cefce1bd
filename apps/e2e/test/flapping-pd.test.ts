import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  duplicateOpenKeys,
  type Environment,
  isUnresolved,
  runCleanups,
  showTicket,
  startEnvironment,
  waitFor,
  waitForAllPassing,
} from "../src/index.ts";

/** PD outages: its port refuses connections; it answers 200 with a body that is not PD's JSON. */
const PD_OUTAGES = ["down", "garbage"] as const;

/** Failed cycles in a row before subject_unreachable opens (the default, stated for clarity). */
const UNREACHABLE_AFTER = 3;

/** Scenarios 6 and 7: a flapping store, and PD unreachable for several cycles. */
describe("flapping and an unreachable PD", () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
  });
  afterEach(async () => {
    await env.stopMonitors();
    await env.resetFaults();
  });
  afterAll(runCleanups);

  it("6. a flapping store: one ticket, marked flapping, stays open with no open/resolve churn, and resolves once it settles", async () => {
    const run = await env.startMonitor({ subject: "flap" });
    await waitForAllPassing(run);
    // Each half-period is long enough for PD to report the store Disconnected, then Up again.
    const periodMs = 2 * (env.disconnectMs + env.heartbeatMs) + 2 * run.intervalMs;
    await env.cluster.flapStore(1, periodMs);
    const flapping = await run.waitForTicket(
      (t) => t.key === "flap/store_down/1" && isUnresolved(t) && t.flapping,
      "a store_down ticket for store 1 marked flapping",
      periodMs * 12,
    );
    const before = await run.ticketsOf("store_down", "1");
    // Three re-openings within ten minutes trip flap detection: at most the first ticket and three more.
    expect(before.length).toBeLessThanOrEqual(4);

    // Four more flap periods: the same ticket stays open and flapping; nothing new opens or resolves.
    const from = run.process.heartbeats().length;
    await run.process.waitForHeartbeat({ after: from, count: Math.ceil((4 * periodMs) / run.intervalMs) });
    const during = await run.ticketsOf("store_down", "1");
    expect(during.map((t) => t.id)).toEqual(before.map((t) => t.id));
    expect(during.find((t) => t.id === flapping.id)).toMatchObject({ status: "open", flapping: true });
    expect(during.filter((t) => t.status === "resolved").map((t) => t.id)).toEqual(
      before.filter((t) => t.status === "resolved").map((t) => t.id),
    );

    const { events } = await showTicket(run.dbPath, flapping.id);
    expect(events.filter((e) => e.kind === "flapping_started")).toHaveLength(1);
    expect(events.filter((e) => e.kind === "resolved")).toEqual([]);

    // The store settles: once the flap percent falls to 20 % (rule 5; about a dozen steady cycles)
    // the flag drops and the ticket resolves, once, with the end of flapping recorded.
    await env.cluster.flapStore(1, null);
    await env.cluster.startStore(1);
    const settled = await run.waitForTicket(
      (t) => t.id === flapping.id && t.status === "resolved",
      "the flapping ticket resolved after the store settled",
      60 * run.intervalMs,
    );
    expect(settled.flapping).toBe(false);
    const after = await showTicket(run.dbPath, flapping.id);
    expect(after.events.map((e) => e.kind).slice(-2)).toEqual(["flapping_stopped", "resolved"]);
    expect((await run.ticketsOf("store_down", "1")).filter(isUnresolved)).toEqual([]);
  });

  it.each(PD_OUTAGES)(
    "7. PD %s for several cycles: nothing resolves, one subject_unreachable opens; PD back: it resolves and store tickets carry on",
    async (mode) => {
      const subject = `pd-${mode}`;
      const run = await env.startMonitor({
        subject,
        settings: { unreachableAfter: UNREACHABLE_AFTER },
      });
      await waitForAllPassing(run);
      await env.cluster.stopStore(2);
      const down = await run.waitForTicket(
        (t) => t.key === `${subject}/store_down/2`,
        "a store_down ticket for store 2",
      );

      await env.cluster.apply({ fault: "pd", mode });
      const unreachable = await run.waitForTicket(
        (t) => t.key === `${subject}/subject_unreachable/subject` && isUnresolved(t),
        "a subject_unreachable ticket",
      );
      const from = run.process.heartbeats().length;
      await run.process.waitForHeartbeat({ after: from, count: 3 });
      for (const beat of run.process.heartbeats().slice(from)) expect(beat.text).toMatch(/\b\d+ unknown\b/);
      let tickets = await run.tickets();
      expect(tickets.filter((t) => t.invariant === "subject_unreachable")).toHaveLength(1);
      expect(tickets.filter((t) => t.status === "resolved")).toEqual([]);
      expect(tickets.find((t) => t.id === down.id)?.status).toBe("open");

      // PD answers again, store 2 still down: the unreachable ticket resolves, the store ticket carries on.
      await env.cluster.apply({ fault: "pd", mode: null });
      const back = await run.waitForTicket(
        (t) => t.id === unreachable.id && t.status === "resolved",
        "the subject_unreachable ticket to resolve",
      );
      expect(back.resolvedBy).toBe("monitor");
      const carried = await waitFor(
        async () => {
          const ticket = (await run.tickets()).find((t) => t.id === down.id);
          return (
            ticket && ticket.lastSeenAt > (tickets.find((t) => t.id === down.id)?.lastSeenAt ?? 0) && ticket
          );
        },
        { timeoutMs: 30_000, description: "the store_down ticket to be seen again after PD returned" },
      );
      expect(carried.status).toBe("open");
      tickets = await run.tickets();
      expect(tickets.filter((t) => t.key === `${subject}/store_down/2`)).toHaveLength(1);
      expect(duplicateOpenKeys(tickets)).toEqual([]);

      await env.cluster.startStore(2);
      await run.waitForTicket((t) => t.id === down.id && t.status === "resolved", "store_down to resolve");
    },
  );
});
