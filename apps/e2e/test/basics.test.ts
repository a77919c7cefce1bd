import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Environment,
  HEARTBEAT,
  integrityCheck,
  isUnresolved,
  openedAt,
  runCleanups,
  showTicket,
  sleep,
  startEnvironment,
  waitForAllPassing,
} from "../src/index.ts";

/**
 * Scenarios 1, 2, 4 and 9 of the end-to-end suite: one simulated cluster and one Prometheus shared by
 * the file, a fresh daemon and database per scenario, faults cleared in between.
 */
describe("operator monitor against a simulated cluster", () => {
  let env: Environment;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
  });
  afterEach(async () => {
    await env.stopMonitors();
    await env.resetFaults();
  });
  afterAll(runCleanups);

  it("1. healthy cluster: every heartbeat says all passing and no ticket opens", async () => {
    const run = await env.startMonitor({ subject: "healthy" });
    await waitForAllPassing(run);
    await run.process.waitForHeartbeat({ count: 3 });
    const beats = run.process.heartbeats();
    // A cold first cycle on a loaded machine may pass its deadline and say `unknown`; none may say
    // that something is violated, and the cycles once warm all pass.
    for (const beat of beats) {
      expect(beat.text).toMatch(/Check complete: \d+ invariants?, (all passing|0 violations, \d+ unknown)/);
    }
    for (const beat of beats.slice(-4))
      expect(beat.text).toMatch(/Check complete: \d+ invariants?, all passing/);
    expect(await run.tickets()).toEqual([]);
  });

  it("2. a stopped store opens store_down within PD's disconnect time plus two intervals, and it resolves on return", async () => {
    const run = await env.startMonitor({ subject: "store-stop" });
    await waitForAllPassing(run);
    const stoppedAt = Date.now();
    await env.cluster.stopStore(2);
    const opened = await run.waitForTicket(
      (t) => t.key === "store-stop/store_down/2" && isUnresolved(t),
      "a store_down ticket for store 2",
    );
    // The last heartbeat PD received can be one heartbeat interval (10 s simulated) before the stop.
    const bound = env.disconnectMs + env.heartbeatMs + 2 * run.intervalMs;
    expect(openedAt(opened) - stoppedAt).toBeLessThanOrEqual(bound);

    const restartedAt = Date.now();
    await env.cluster.startStore(2);
    const resolved = await run.waitForTicket(
      (t) => t.id === opened.id && t.status === "resolved",
      "the store_down ticket to resolve",
    );
    expect(resolved.resolvedAt).toBeGreaterThanOrEqual(restartedAt);
    expect(resolved.resolvedBy).toBe("monitor");
    const all = await run.tickets();
    expect(all.filter((t) => t.invariant === "store_down")).toHaveLength(1);
    expect(all.filter((t) => t.entity !== "2")).toEqual([]);
  });

  it("4. a filling disk opens low_disk_space carrying the measured values", async () => {
    const run = await env.startMonitor({ subject: "disk-full" });
    await waitForAllPassing(run);
    await env.cluster.fillDisk(3, 0.95);
    const ticket = await run.waitForTicket(
      (t) => t.key === "disk-full/low_disk_space/3" && isUnresolved(t),
      "a low_disk_space ticket for store 3",
    );
    expect(ticket.message).toMatch(/store 3/i);
    const shown = await showTicket(run.dbPath, ticket.id);
    // The values behind the verdict: the measured share (95 % used) and the threshold it broke.
    expect(shown.firstValues).toMatchObject({ usedRatio: expect.closeTo(0.95, 3), thresholdRatio: 0.7 });
    expect(shown.lastValues).toMatchObject({ usedRatio: expect.closeTo(0.95, 3) });
    expect(ticket.message).toMatch(/95(\.0)?\s*%/);
    // PD's own figures say the same (5 % available): store_low_space, on the same store, is the only other.
    const others = (await run.tickets()).filter((t) => t.invariant !== "low_disk_space");
    expect(others.map((t) => t.key)).toEqual(others.length === 0 ? [] : ["disk-full/store_low_space/3"]);
  });

  it("9. SIGTERM while a cycle is in flight: the cycle finishes, exit 0, `Monitor loop stopped`, database intact", async () => {
    const run = await env.startMonitor({
      subject: "sigterm",
      // A long unreachable streak, so that the hanging PD opens no subject_unreachable ticket here.
      settings: { deadline: "800ms", unreachableAfter: 100 },
    });
    await waitForAllPassing(run);
    await env.cluster.stopStore(1);
    await run.waitForTicket((t) => t.key === "sigterm/store_down/1", "a store_down ticket for store 1");
    // A hanging PD holds every cycle open until its 800 ms deadline; the next cycle starts one
    // interval after the previous one began, so 350 ms after a heartbeat a cycle is in flight.
    await env.cluster.setPdFault("hang");
    const beat = await run.process.waitForHeartbeat({ count: 2 });
    await sleep(Math.max(0, beat.at + 350 - Date.now()));
    const beatsBefore = run.process.heartbeats().length;
    const linesBefore = run.process.output.length;
    run.process.signal("SIGTERM");
    const exit = await run.process.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    const after = run.process.output.slice(linesBefore);
    const stopped = after.findIndex((line) => /Monitor loop stopped/.test(line.text));
    expect(stopped, run.process.transcript()).toBeGreaterThanOrEqual(0);
    const finishing = after.slice(0, stopped).filter((line) => HEARTBEAT.test(line.text));
    expect(finishing.length, "the in-flight cycle completed before the loop stopped").toBe(1);
    expect(run.process.heartbeats().length).toBe(beatsBefore + 1);
    expect(integrityCheck(run.dbPath)).toBe("ok");
    const tickets = await run.tickets();
    expect(tickets.map((t) => [t.key, t.status])).toEqual([["sigterm/store_down/1", "open"]]);
  });
});
