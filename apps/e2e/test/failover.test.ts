import { startTestPostgres, type TestPostgres } from "@operator/db-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cycleStartOf,
  duplicateOpenKeys,
  type Environment,
  historyProblems,
  isUnresolved,
  type ListedTicket,
  onCleanup,
  openedAt,
  type ReplicaSet,
  runCleanups,
  sleep,
  startEnvironment,
  startFaultProxy,
  startReplicas,
  waitFor,
} from "../src/index.ts";

const INTERVAL_MS = 1500;
const GRACE_MS = 8000;
const KILLS = 20;

/**
 * Several daemons on one PostgreSQL: three replicas of `operator monitor` share the subject's work by
 * lease. The leader is killed, paused and cut off from its database while faults last; the tickets
 * must stay one per key with a whole history.
 */
describe("replicas on one PostgreSQL: failover", () => {
  let env: Environment;
  let pg: TestPostgres;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
    pg = await startTestPostgres();
    onCleanup(() => pg.stop());
  });
  afterAll(runCleanups);

  const ticketOf = (set: ReplicaSet, key: string, what: string, timeoutMs = 30_000) =>
    waitFor(async () => (await set.tickets()).find((t) => t.key === key && isUnresolved(t)), {
      timeoutMs,
      intervalMs: 300,
      description: () =>
        `${what}\n${set.processes.map((p) => p.transcript().split("\n").slice(-15).join("\n")).join("\n---\n")}`,
    });
  const resolvedOnce = async (set: ReplicaSet, key: string): Promise<ListedTicket> => {
    const ticket = await waitFor(
      async () => {
        const all = (await set.tickets()).filter((t) => t.key === key);
        return all.length === 1 && all[0]?.status === "resolved" ? all[0] : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, description: `${key} resolved, as its only ticket` },
    );
    return ticket;
  };
  const whole = async (set: ReplicaSet) => {
    const tickets = await set.tickets();
    expect(duplicateOpenKeys(tickets)).toEqual([]);
    expect(historyProblems(await set.events(), tickets)).toEqual([]);
    return tickets;
  };

  it("SIGKILL of the leader during a fault: a standby takes over within two intervals and the ticket, its grace and its resolve carry on", async () => {
    const set = await startReplicas({
      env,
      db: await pg.createDatabase("failover_kill"),
      subject: "kill",
      intervalMs: INTERVAL_MS,
      invariants: { high_latency: { for: `${GRACE_MS}ms` } },
    });
    env.cluster.stopStore(1);
    const down = await ticketOf(set, "kill/store_down/1", "a store_down ticket for store 1");
    env.cluster.slowStore(2, 2.5);
    await sleep(5000);
    const leader = await set.leader();
    if (leader === undefined) throw new Error("no replica holds the lease");
    const killedAt = Date.now();
    await leader.kill();
    const takeover = await set.waitForTakeover({ not: leader, since: killedAt });
    expect(takeover.line.at - killedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
    expect(await set.lease()).toMatchObject({ token: 2 });

    const latency = await ticketOf(set, "kill/high_latency/2", "a high_latency ticket for store 2", 60_000);
    expect(latency.firstSeenAt).toBeLessThan(killedAt);
    expect(openedAt(latency) - latency.firstSeenAt).toBeGreaterThanOrEqual(GRACE_MS);
    expect(openedAt(latency)).toBeLessThan(takeover.line.at + GRACE_MS);

    env.cluster.startStore(1);
    const resolved = await resolvedOnce(set, "kill/store_down/1");
    expect(resolved.id).toBe(down.id);
    expect(resolved.occurrenceCount).toBeGreaterThan(down.occurrenceCount);
    await env.resetFaults();
    await whole(set);
    await set.close();
  });

  it("SIGSTOP of the leader for three intervals: the new leader keeps its role and the old one's writes are refused", async () => {
    const proxy = await startFaultProxy(env.cluster.pdUrl);
    onCleanup(() => proxy.close());
    const set = await startReplicas({
      env,
      db: await pg.createDatabase("failover_pause"),
      subject: "pause",
      intervalMs: INTERVAL_MS,
      pdUrl: proxy.url,
    });
    env.cluster.stopStore(1);
    const down = await ticketOf(set, "pause/store_down/1", "a store_down ticket for store 1");
    const old = await set.leader();
    if (old === undefined) throw new Error("no replica holds the lease");
    // A slow PD keeps each cycle's reads out for 600 ms: stop the leader while they are.
    proxy.setFault({ kind: "delay", ms: 600 });
    await old.waitForHeartbeat({ count: 2 });
    const beat = await old.waitForHeartbeat();
    await sleep(Math.max(0, cycleStartOf(beat) + INTERVAL_MS + 250 - Date.now()));
    old.signal("SIGSTOP");
    const stoppedAt = Date.now();
    const takeover = await set.waitForTakeover({ not: old, since: stoppedAt });
    expect(takeover.line.at - stoppedAt).toBeLessThanOrEqual(2 * INTERVAL_MS);
    await sleep(stoppedAt + 3 * INTERVAL_MS - Date.now());
    old.signal("SIGCONT");

    await old.waitForLine(/No longer leading subject "pause"/, { timeoutMs: 10_000 });
    await old.waitForLine(/Cycle not recorded: .*no longer leads "pause"/, { timeoutMs: 10_000 });
    await sleep(3 * INTERVAL_MS);
    expect(await set.leader()).toBe(takeover.process);
    expect(await set.lease()).toMatchObject({ token: 2 });
    expect(old.output.filter((l) => l.at > stoppedAt && /Leading subject/.test(l.text))).toEqual([]);

    proxy.setFault(null);
    env.cluster.startStore(1);
    expect((await resolvedOnce(set, "pause/store_down/1")).id).toBe(down.id);
    await env.resetFaults();
    await whole(set);
    await set.close();
  });

  it("PostgreSQL restarted under the replicas: they reconnect and carry on with no false resolve", async () => {
    const set = await startReplicas({
      env,
      db: await pg.createDatabase("failover_pg"),
      subject: "pg",
      intervalMs: INTERVAL_MS,
    });
    env.cluster.stopStore(1);
    const down = await ticketOf(set, "pg/store_down/1", "a store_down ticket for store 1");
    await pg.restart(3 * INTERVAL_MS);
    const back = Date.now();
    await waitFor(() => set.processes.some((p) => p.heartbeats().some((b) => b.at > back)), {
      timeoutMs: 30_000,
      intervalMs: 100,
      description: "a cycle after the restart",
    });
    await sleep(3 * INTERVAL_MS);
    const during = (await set.tickets()).filter((t) => t.key === "pg/store_down/1");
    expect(during.map((t) => [t.id, t.status])).toEqual([[down.id, down.status]]);
    expect(set.processes.every((p) => p.exit === undefined)).toBe(true);

    env.cluster.startStore(1);
    expect((await resolvedOnce(set, "pg/store_down/1")).id).toBe(down.id);
    await env.resetFaults();
    await whole(set);
    await set.close();
  });

  it(`${KILLS} leader kills in a row while a store comes and goes: no duplicate ticket, no lost or doubled event`, async () => {
    const set = await startReplicas({
      env,
      db: await pg.createDatabase("failover_kills"),
      subject: "kills",
      intervalMs: INTERVAL_MS,
    });
    const takeovers: number[] = [];
    for (let i = 0; i < KILLS; i++) {
      const leader = await waitFor(() => set.leader(), {
        timeoutMs: 30_000,
        intervalMs: 100,
        description: "a leader",
      });
      await leader.waitForHeartbeat({ timeoutMs: 30_000 });
      if (i % 4 === 1) env.cluster.stopStore(1);
      if (i % 4 === 3) env.cluster.startStore(1);
      await sleep(Math.random() * INTERVAL_MS);
      const killedAt = Date.now();
      await leader.kill();
      const takeover = await set.waitForTakeover({ not: leader, since: killedAt });
      takeovers.push(takeover.line.at - killedAt);
      set.replace(leader);
      expect(duplicateOpenKeys(await set.tickets())).toEqual([]);
    }
    env.cluster.startStore(1);
    await waitFor(async () => ((await set.tickets()).filter(isUnresolved).length === 0 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 500,
      description: "every ticket resolved",
    });
    const tickets = await whole(set);
    expect(tickets.filter((t) => t.key === "kills/store_down/1").length).toBeGreaterThanOrEqual(2);
    expect(Math.max(...takeovers)).toBeLessThanOrEqual(2 * INTERVAL_MS);
    await set.close();
  });
});
