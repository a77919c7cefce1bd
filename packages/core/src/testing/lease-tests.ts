import { expect, it } from "vitest";
import { isLeaseLost, type LeaseFence, type LeaseStore } from "../leases.ts";
import { configuredInvariants } from "../orphans.ts";
import type { TicketStore } from "../store.ts";
import type { EntityResult } from "../subject.ts";
import { realPlan, type SubjectView } from "./store-world.ts";

/** What the lease tests need of a fresh store from the conformance suite. */
export interface LeaseTestWorld {
  readonly store: TicketStore & LeaseStore;
  readonly now: () => number;
  readonly advance: (ms: number) => number;
}

const TTL = 10_000;
const down = (entity: string): EntityResult => ({
  entity,
  outcome: "violated",
  message: `store ${entity} is down`,
  values: { value: 1 },
});
const view = (entities: readonly string[]): Record<string, SubjectView> => ({
  alpha: { store_down: entities.map(down), high_latency: [] },
});

/**
 * Registers the lease tests of the store conformance suite (for stores that implement
 * `LeaseStore`): claim, renew, expiry and takeover with a growing token, release, fencing of cycle
 * writes, and orphans that another replica still watches.
 */
export function leaseTests(fresh: () => Promise<LeaseTestWorld>, timeout: number): void {
  let seq = 0;
  const fenced = (world: LeaseTestWorld, entities: readonly string[], fence: LeaseFence) =>
    world.store.recordCycle(["alpha"], realPlan(`lease-${++seq}`, world.now(), view(entities)), { fence });
  const fenceOf = (holder: string, token: number): LeaseFence => ({
    holder,
    tokens: new Map([["alpha", token]]),
  });

  it(
    "grants a lease to one holder at a time, renews it with the same token and hands it over after expiry",
    async () => {
      const world = await fresh();
      const { store, now, advance } = world;
      const [a] = await store.claimLeases("a", ["alpha"], TTL);
      expect(a).toEqual({ subject: "alpha", holder: "a", token: 1, expiresAt: now() + TTL });
      advance(TTL / 2);
      expect(await store.claimLeases("b", ["alpha"], TTL)).toEqual([a]);
      const [renewed] = await store.claimLeases("a", ["alpha"], TTL);
      expect(renewed).toEqual({ ...a, expiresAt: now() + TTL });
      advance(TTL);
      const [taken] = await store.claimLeases("b", ["alpha", "beta"], TTL);
      expect(taken).toEqual({ subject: "alpha", holder: "b", token: 2, expiresAt: now() + TTL });
      expect((await store.claimLeases("a", ["alpha"], TTL))[0]).toEqual(taken);
      expect((await store.listLeases()).map((l) => [l.subject, l.holder, l.token])).toEqual([
        ["alpha", "b", 2],
        ["beta", "b", 1],
      ]);
      await store.releaseLeases("a", ["alpha"]);
      expect((await store.claimLeases("a", ["alpha"], TTL))[0]?.holder).toBe("b");
      await store.releaseLeases("b", ["alpha"]);
      const [back] = await store.claimLeases("a", ["alpha"], TTL);
      expect(back).toMatchObject({ holder: "a", token: 3 });
      await expect(store.claimLeases("", ["alpha"], TTL)).rejects.toThrow("Invalid lease holder");
      await expect(store.claimLeases("a", ["alpha"], 0)).rejects.toThrow("Invalid lease ttl");
    },
    timeout,
  );

  it(
    "refuses a cycle whose fence no longer holds, and writes nothing of it",
    async () => {
      const world = await fresh();
      const { store, advance } = world;
      await store.claimLeases("a", ["alpha"], TTL);
      const first = await fenced(world, ["1"], fenceOf("a", 1));
      expect(first.opened.map((t) => t.key)).toEqual(["alpha/store_down/1"]);

      advance(TTL);
      const expired = fenced(world, ["1", "2"], fenceOf("a", 1));
      await expect(expired).rejects.toSatisfy(isLeaseLost);
      await store.claimLeases("b", ["alpha"], TTL);
      await expect(fenced(world, ["1", "2"], fenceOf("a", 1))).rejects.toThrow(/no longer leads "alpha"/);
      await expect(fenced(world, ["1", "2"], fenceOf("b", 1))).rejects.toSatisfy(isLeaseLost);
      await expect(
        store.recordCycle(["alpha"], realPlan("lease-none", world.now(), view(["2"])), {
          fence: { holder: "b", tokens: new Map() },
        }),
      ).rejects.toSatisfy(isLeaseLost);
      const tickets = (await store.listTickets({ includeResolved: true })).tickets;
      expect(tickets.map((t) => [t.key, t.status, t.occurrenceCount])).toEqual([
        ["alpha/store_down/1", "open", 1],
      ]);

      const second = await fenced(world, ["1", "2"], fenceOf("b", 2));
      expect(second.opened.map((t) => t.key)).toEqual(["alpha/store_down/2"]);
      const unfenced = await store.recordCycle(
        ["alpha"],
        realPlan("lease-free", world.now(), view(["1", "2"])),
      );
      expect(unfenced.opened).toEqual([]);
    },
    timeout,
  );

  it(
    "leaves the tickets of a subject it does not watch open while another replica holds its lease",
    async () => {
      const world = await fresh();
      const { store, now, advance } = world;
      await store.claimLeases("b", ["alpha"], TTL);
      await fenced(world, ["1"], fenceOf("b", 1));
      const onlyBeta = configuredInvariants([]);
      const kept = await store.resolveOrphans(onlyBeta, now());
      expect(kept.resolved).toEqual([]);
      expect(kept.droppedStates).toBe(0);
      advance(TTL);
      const gone = await store.resolveOrphans(onlyBeta, now());
      expect(gone.resolved.map((t) => t.key)).toEqual(["alpha/store_down/1"]);
    },
    timeout,
  );
}
