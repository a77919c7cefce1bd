import {
  type AttemptOutcome,
  createMemoryTicketStore,
  type NotificationFilter,
  type NotificationStore,
  type TicketStore,
} from "@operator/core";
import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { realPlan, seeded, TestWorld } from "./helpers/real-planner.ts";
import { testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const CYCLE_MS = 30_000;

/** The channels of the scenario: when each is first opened, and its filter. */
const CHANNELS: readonly { name: string; openAt: number; filter?: NotificationFilter }[] = [
  { name: "all", openAt: 0 },
  {
    name: "critical-open-close",
    openAt: 40,
    filter: { severities: ["critical"], kinds: ["opened", "resolved"] },
  },
  { name: "beta-only", openAt: 90, filter: { subjects: ["beta"] } },
];

describe("parity of the notification outbox with core's in-memory store", () => {
  for (const seed of [11, 12, 13]) {
    it(`seed ${seed}: 200 cycles, three channels opened at different times, random outcomes`, async () => {
      const clock = testClock();
      const subjects = ["alpha", "beta"];
      const world = new TestWorld(subjects, 5, 0.15, seed, seed === 13);
      const random = seeded(seed * 31);
      const memory = createMemoryTicketStore({ now: clock.now });
      const sqlite = openTicketStore(tempDbPath(), { now: clock.now });
      const both: [TicketStore & NotificationStore, TicketStore & NotificationStore] = [memory, sqlite];
      let delivered = 0;
      let failed = 0;
      let unexamined = 0;
      try {
        for (let step = 0; step < 200; step++) {
          const now = clock.advance(CYCLE_MS);
          const plan = realPlan(`cycle-${step}`, now, world.next(), world.health);
          for (const store of both) await store.recordCycle(subjects, plan);
          const [wantBefore, gotBefore] = await Promise.all(both.map((store) => store.notificationStatus()));
          expect(gotBefore, `status before reading, step ${step}`).toEqual(wantBefore);
          if (step > 0) unexamined += (wantBefore ?? []).reduce((sum, s) => sum + s.unexamined, 0);
          if (random() < 0.2) {
            const open = (await memory.listTickets({ limit: 1000 })).tickets;
            const target = open[Math.floor(random() * open.length)];
            if (target) {
              for (const store of both) {
                await store
                  .applyAction(target.id, { type: "acknowledge", actor: "alice" }, now + 1)
                  .catch(() => 0);
              }
            }
          }
          for (const channel of CHANNELS) {
            if (step === channel.openAt) for (const store of both) await store.openChannel(channel.name, now);
            if (step < channel.openAt) continue;
            const limit = 1 + Math.floor(random() * 6);
            const [want, got] = await Promise.all(
              both.map((store) => store.nextNotifications(channel.name, channel.filter, now + 2, limit)),
            );
            expect(got, `${channel.name} at step ${step}`).toEqual(want);
            for (const pending of want ?? []) {
              const outcome = randomOutcome(random, now);
              if (outcome.outcome === "delivered") delivered++;
              if (outcome.outcome === "failed") failed++;
              for (const store of both)
                await store.recordAttempt(channel.name, pending.event.id, outcome, now + 3);
            }
          }
          expect(await sqlite.notificationStatus(), `status at step ${step}`).toEqual(
            await memory.notificationStatus(),
          );
          expect(await sqlite.unresolvedTickets()).toEqual(await memory.unresolvedTickets());
        }
        expect(delivered).toBeGreaterThan(50);
        expect(unexamined, "new events show as unexamined until a channel reads").toBeGreaterThan(0);
        expect(failed).toBeGreaterThan(5);
        const status = await sqlite.notificationStatus();
        expect(status.map((s) => s.channel)).toEqual(["all", "beta-only", "critical-open-close"]);
        expect(status.every((s) => s.lastSuccessAt !== null)).toBe(true);
      } finally {
        sqlite.close();
      }
    }, 120_000);
  }

  it("both refuse to read a channel that was never opened, and ignore attempts recorded for it", async () => {
    const memory = createMemoryTicketStore();
    const sqlite = openTicketStore(tempDbPath());
    try {
      for (const store of [memory, sqlite] as const) {
        await expect(store.nextNotifications("nope", undefined, 0, 10)).rejects.toThrow(
          "Notification channel nope is not open",
        );
        await store.recordAttempt("nope", 1, { outcome: "delivered" }, 0);
        expect(await store.notificationStatus()).toEqual([]);
      }
    } finally {
      sqlite.close();
    }
  });
});

function randomOutcome(random: () => number, now: number): AttemptOutcome {
  const r = random();
  if (r < 0.55) return { outcome: "delivered" };
  if (r < 0.85)
    return { outcome: "retry", reason: "HTTP 503", nextAttemptAt: now + Math.floor(random() * 3) * CYCLE_MS };
  if (r < 0.95) return { outcome: "failed", reason: "HTTP 400" };
  return { outcome: "withheld", reason: "silenced" };
}
