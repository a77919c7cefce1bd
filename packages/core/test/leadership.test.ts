import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import {
  createLeadership,
  createMemoryTicketStore,
  createMonitor,
  type Leadership,
  type LeadershipChange,
  type LeaseStore,
} from "../src/index.ts";
import { memoryLogger } from "../src/testing/index.ts";
import { scriptedSubject } from "./helpers.ts";

const TTL = 600;
const running: Leadership[] = [];
afterEach(async () => {
  for (const leadership of running.splice(0)) await leadership.stop();
});

/** A lease store whose claims can be made to fail, as when the database is out of reach. */
function breakable(store: LeaseStore) {
  let broken = false;
  const leases: LeaseStore = {
    claimLeases: (holder, subjects, ttl) =>
      broken ? Promise.reject(new Error("connection refused")) : store.claimLeases(holder, subjects, ttl),
    releaseLeases: (holder, subjects) => store.releaseLeases(holder, subjects),
    listLeases: () => store.listLeases(),
  };
  return { leases, set: (value: boolean) => (broken = value) };
}

function replica(leases: LeaseStore, holder: string, subjects = ["alpha", "beta"]) {
  const { logger, messages } = memoryLogger();
  const changes: LeadershipChange[] = [];
  const leadership = createLeadership({ leases, holder, subjects, ttlMs: TTL, logger });
  leadership.onChange((change) => changes.push(change));
  running.push(leadership);
  return { leadership, changes, messages };
}

describe("createLeadership", () => {
  it("makes one replica the leader, the other a standby, and hands over when the leader stops", async () => {
    const store = createMemoryTicketStore();
    const a = replica(store, "a");
    const b = replica(store, "b");
    await a.leadership.start();
    await b.leadership.start();
    expect(a.leadership.led()).toEqual(["alpha", "beta"]);
    expect(b.leadership.led()).toEqual([]);
    expect(a.leadership.fence(["alpha"])).toEqual({ holder: "a", tokens: new Map([["alpha", 1]]) });
    expect(b.changes).toEqual([
      { subject: "alpha", leader: false },
      { subject: "beta", leader: false },
    ]);
    expect(b.messages()).toContain('Standing by for subject "alpha": led by a');
    await a.leadership.stop();
    await sleep(TTL / 2);
    expect(b.leadership.led()).toEqual(["alpha", "beta"]);
    expect(b.changes.slice(2)).toEqual([
      { subject: "alpha", leader: true, token: 2 },
      { subject: "beta", leader: true, token: 2 },
    ]);
  });

  it("stops leading by itself when it cannot renew, and the standby takes over after the ttl", async () => {
    const store = createMemoryTicketStore();
    const link = breakable(store);
    const a = replica(link.leases, "a", ["alpha"]);
    const b = replica(store, "b", ["alpha"]);
    await a.leadership.start();
    await b.leadership.start();
    link.set(true);
    await sleep(TTL + TTL / 2);
    expect(a.leadership.leads("alpha")).toBe(false);
    expect(a.changes.at(-1)).toEqual({ subject: "alpha", leader: false });
    expect(a.messages()).toContain("Cannot claim or renew leases: connection refused");
    expect(b.leadership.leads("alpha")).toBe(true);
    link.set(false);
    await sleep(TTL / 2);
    expect(a.leadership.leads("alpha")).toBe(false);
    expect((await store.listLeases()).map((l) => [l.holder, l.token])).toEqual([["b", 2]]);
  });

  it("releases the leases of subjects it no longer watches and claims new ones at once", async () => {
    const store = createMemoryTicketStore();
    const a = replica(store, "a", ["alpha"]);
    await a.leadership.start();
    await a.leadership.setSubjects(["beta"]);
    expect(a.leadership.led()).toEqual(["beta"]);
    const [alpha] = await store.listLeases();
    expect(alpha?.expiresAt).toBeLessThanOrEqual(Date.now());
    expect(() => createLeadership({ leases: store, holder: "", subjects: [], ttlMs: TTL })).toThrow(
      "Invalid lease holder",
    );
  });
});

describe("a monitor with leadership", () => {
  it("cycles only while it leads, and starts at once when it becomes the leader", async () => {
    const store = createMemoryTicketStore();
    const a = replica(store, "a", ["alpha"]);
    const b = replica(store, "b", ["alpha"]);
    await a.leadership.start();
    await b.leadership.start();
    const cycles = { a: 0, b: 0 };
    const monitor = (name: "a" | "b", leadership: Leadership) =>
      createMonitor({
        subjects: [scriptedSubject(() => [], { name: "alpha" }).subject],
        store,
        intervalMs: 1000,
        logger: memoryLogger().logger,
        leadership,
        onCycle: () => cycles[name]++,
      });
    const [ma, mb] = [monitor("a", a.leadership), monitor("b", b.leadership)];
    const runs = [ma.run(), mb.run()];
    await sleep(100);
    expect(cycles).toEqual({ a: 1, b: 0 });
    await a.leadership.stop();
    const stoppedAt = performance.now();
    while (cycles.b === 0 && performance.now() - stoppedAt < 900) await sleep(5);
    expect(cycles.b).toBe(1);
    expect(performance.now() - stoppedAt).toBeLessThan(TTL);
    await Promise.all([ma.stop(), mb.stop(), ...runs]);
    expect(store.cycles()).toHaveLength(2);
  });
});
