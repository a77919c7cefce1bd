import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  duplicateOpenKeys,
  type Environment,
  integrityCheck,
  isUnresolved,
  type ListedTicket,
  type MonitorProcess,
  openedAt,
  runCleanups,
  sleep,
  startEnvironment,
  waitForAllPassing,
} from "../src/index.ts";

const KILLS = 12;
const GRACE_MS = 10_000;
const SLOW_P99_SECONDS = 2.5;

/**
 * Scenario 10: SIGKILL at random moments, many times, with restarts on the same database, while one
 * fault persists (store_down), one comes and goes, and one is inside its grace period.
 */
describe("kill -9 and restart, many times", () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
  });
  afterAll(runCleanups);

  it("10. no duplicate open ticket, no lost ticket, and grace timers continue across crashes", async () => {
    const run = await env.startMonitor({
      subject: "crash",
      subjectOptions: { rateWindow: "4s" },
      invariants: { high_latency: { for: `${GRACE_MS}ms` } },
    });
    await waitForAllPassing(run);
    const seen = new Map<number, ListedTicket>();
    const remember = async () => {
      const tickets = await run.tickets();
      for (const ticket of tickets) {
        if (!seen.has(ticket.id)) seen.set(ticket.id, ticket);
      }
      expect(duplicateOpenKeys(tickets)).toEqual([]);
      return tickets;
    };

    await env.cluster.stopStore(1);
    await run.waitForTicket((t) => t.key === "crash/store_down/1", "a store_down ticket for store 1");
    const slowSince = Date.now();
    await env.cluster.slowStore(2, SLOW_P99_SECONDS);

    const outages: { killedAt: number; next: MonitorProcess }[] = [];
    for (let i = 0; i < KILLS; i++) {
      // Kill somewhere inside a cycle or between two, as a crash would.
      await run.process.waitForHeartbeat({ count: 1, timeoutMs: 60_000 });
      await sleep(Math.random() * run.intervalMs);
      const killedAt = Date.now();
      const exit = await run.process.kill();
      expect(exit.signal).toBe("SIGKILL");
      if (i === 4) await env.cluster.startStore(1); // store 1 comes back while the daemon is dead
      if (i === 7) await env.cluster.stopStore(1); // and goes down again
      await remember();
      outages.push({ killedAt, next: await run.restart() });
    }
    await run.process.waitForHeartbeat({ count: 2, timeoutMs: 60_000 });

    const latency = await run.waitForTicket(
      (t) => t.key === "crash/high_latency/2" && isUnresolved(t),
      "a high_latency ticket for store 2",
      60_000,
    );
    const final = await remember();

    expect(duplicateOpenKeys(final)).toEqual([]);
    for (const [id, first] of seen) {
      const now = final.find((t) => t.id === id);
      expect(now, `ticket ${id} (${first.key}) is still listed`).toBeDefined();
      expect(now?.key).toBe(first.key);
      expect(now?.firstSeenAt).toBe(first.firstSeenAt);
      if (first.status === "resolved") expect(now?.status).toBe("resolved");
    }
    const storeDown = final.filter((t) => t.key === "crash/store_down/1").sort((a, b) => a.id - b.id);
    // Down, back once (while the daemon was dead), down again: exactly two tickets, the first resolved.
    expect(storeDown.map((t) => t.status)).toEqual(["resolved", "open"]);

    // The grace clock started once, when the slowness was first seen, and was neither restarted nor
    // paused by the crashes while the key was pending: the ticket opened one grace period after that
    // start, late by at most one outage (the grace may run out while the daemon is dead) and the cycle
    // that noticed, not by the time spent dead in all.
    expect(latency.firstSeenAt).toBeGreaterThanOrEqual(slowSince);
    expect(latency.firstSeenAt - slowSince).toBeLessThan(GRACE_MS);
    const opened = openedAt(latency);
    const down = outages.map(({ killedAt, next }) => ({
      killedAt,
      backAt: next.heartbeats()[0]?.at ?? Number.NaN,
    }));
    const duringGrace = down.filter((o) => o.killedAt > latency.firstSeenAt && o.killedAt < opened);
    expect(duringGrace.length, "crashes while high_latency was pending").toBeGreaterThanOrEqual(1);
    const longestOutage = Math.max(...down.map((o) => o.backAt - o.killedAt));
    expect(opened - latency.firstSeenAt).toBeGreaterThanOrEqual(GRACE_MS);
    expect(opened - latency.firstSeenAt).toBeLessThanOrEqual(GRACE_MS + longestOutage + 2 * run.intervalMs);

    await run.stop();
    expect(integrityCheck(run.dbPath)).toBe("ok");
  });
});
