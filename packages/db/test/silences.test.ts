import {
  createMemoryTicketStore,
  InvalidSilenceError,
  type Silence,
  type SilenceDraft,
  SilenceNotFoundError,
  type SilenceStore,
  silenceMatches,
} from "@operator/core";
import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { realPlan, seeded, TestWorld } from "./helpers/real-planner.ts";
import { testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const NAMES = ["subject", "invariant", "entity", "severity"] as const;

function randomDraft(random: () => number, now: number): SilenceDraft {
  const count = 1 + Math.floor(random() * 3);
  const matchers = Array.from({ length: count }, () => {
    const name = NAMES[Math.floor(random() * NAMES.length)] ?? "subject";
    const regex = random() < 0.4;
    const value = regex ? `s-[0-${Math.floor(random() * 9)}]` : `s-${Math.floor(random() * 5)}`;
    return { name, value, regex };
  });
  const startsAt = now + Math.floor((random() - 0.3) * 10_000);
  return {
    matchers,
    startsAt,
    endsAt: startsAt + 1 + Math.floor(random() * 20_000),
    createdBy: `user-${Math.floor(random() * 3)}`,
    comment: "rolling upgrade",
  };
}

describe("silences: memory and SQLite stores behave the same", () => {
  for (const seed of [21, 22, 23]) {
    it(`seed ${seed}: random adds, expiries, lists and active reads`, async () => {
      const random = seeded(seed);
      const memory = createMemoryTicketStore();
      const sqlite = openTicketStore(tempDbPath(), { now: () => 0 });
      const both: SilenceStore[] = [memory, sqlite];
      let now = 1_000_000;
      let expiries = 0;
      try {
        for (let step = 0; step < 150; step++) {
          now += Math.floor(random() * 2_000);
          const roll = random();
          if (roll < 0.4) {
            const draft = randomDraft(random, now);
            const [a, b] = await Promise.all(both.map((store) => store.addSilence(draft, now)));
            expect(b, `add at step ${step}`).toEqual(a);
          } else if (roll < 0.6) {
            const id = 1 + Math.floor(random() * (step + 1));
            const results = await Promise.all(
              both.map((store) =>
                store.expireSilence(id, "bob", now).then(
                  (silence): Silence | string => silence,
                  (error: unknown) => {
                    if (error instanceof SilenceNotFoundError) return "missing";
                    throw error;
                  },
                ),
              ),
            );
            expect(results[1], `expire ${id} at step ${step}`).toEqual(results[0]);
            const first = results[0];
            if (typeof first === "object" && first.expiredBy === "bob") expiries++;
          }
          for (const all of [false, true]) {
            const [a, b] = await Promise.all(both.map((store) => store.listSilences({ all, now })));
            expect(b, `list all=${all} at step ${step}`).toEqual(a);
          }
          const [a, b] = await Promise.all(both.map((store) => store.activeSilences(now)));
          expect(b, `active at step ${step}`).toEqual(a);
        }
        const all = await memory.listSilences({ all: true, now });
        expect(all.length).toBeGreaterThan(30);
        expect(expiries).toBeGreaterThan(0);
      } finally {
        sqlite.close();
      }
    });
  }

  for (const seed of [31, 32]) {
    it(`seed ${seed}: the real planner marks the same tickets silenced, with the same events, in both stores`, async () => {
      const clock = testClock();
      const subjects = ["alpha", "beta"];
      const world = new TestWorld(subjects, 6, 0.15, seed, false);
      const random = seeded(seed * 13);
      const memory = createMemoryTicketStore({ now: clock.now });
      const sqlite = openTicketStore(tempDbPath(), { now: clock.now });
      const both = [memory, sqlite] as const;
      const matchers = [["subject=alpha"], ["entity=~.*[13]"], ["subject=beta", "entity=~.*2"]];
      try {
        for (let step = 0; step < 200; step++) {
          const now = clock.advance(30_000);
          if (random() < 0.08) {
            const chosen = matchers[Math.floor(random() * matchers.length)] ?? [];
            const draft: SilenceDraft = {
              matchers: chosen.map((m) => {
                const [name, raw = ""] = m.split("=");
                const regex = raw.startsWith("~");
                return { name: name as "subject", value: regex ? raw.slice(1) : raw, regex };
              }),
              startsAt: now,
              endsAt: now + 30_000 * (2 + Math.floor(random() * 20)),
              createdBy: "alice",
              comment: "window",
            };
            for (const store of both) await store.addSilence(draft, now);
          }
          if (random() < 0.04) {
            const [latest] = await memory.listSilences({ now });
            if (latest) for (const store of both) await store.expireSilence(latest.id, "bob", now);
          }
          const plan = realPlan(`cycle-${step}`, now, world.next(), world.health);
          const [want, got] = [
            await memory.recordCycle(subjects, plan),
            await sqlite.recordCycle(subjects, plan),
          ];
          expect(got, `cycle ${step}`).toEqual(want);
        }
        const [a, b] = await Promise.all(
          both.map(async (store) => {
            const tickets = (await store.listTickets({ includeResolved: true, limit: 1000 })).tickets;
            const events = await Promise.all(
              tickets.map(async (t) => (await store.getTicket(t.id)).events.map(({ id: _id, ...e }) => e)),
            );
            return { tickets, events };
          }),
        );
        expect(b).toEqual(a);
        const kinds = (a?.events ?? []).flat().map((e) => e.kind);
        expect(kinds).toContain("silenced");
        expect(kinds).toContain("unsilenced");
        expect(a?.tickets.some((t) => t.silenced)).toBe(true);
      } finally {
        sqlite.close();
      }
    });
  }

  it("a silence survives closing and reopening the database, expiry included", async () => {
    const path = tempDbPath();
    const first = openTicketStore(path, { now: () => 0 });
    const added = await first.addSilence(
      {
        matchers: [{ name: "subject", value: "prod-.*", regex: true }],
        startsAt: 100,
        endsAt: 10_000,
        createdBy: "alice",
        comment: "upgrade of prod",
      },
      50,
    );
    first.close();
    const second = openTicketStore(path, { now: () => 0 });
    try {
      expect(await second.activeSilences(200)).toEqual([added]);
      const expired = await second.expireSilence(added.id, "bob", 300);
      expect(expired).toMatchObject({ expiredAt: 300, expiredBy: "bob" });
      expect(await second.activeSilences(299)).toEqual([expired]);
      expect(await second.activeSilences(300)).toEqual([]);
      expect(await second.listSilences({ now: 300 })).toEqual([]);
      expect(await second.listSilences({ all: true, now: 300 })).toEqual([expired]);
      // Expiring again keeps the first expiry.
      expect(await second.expireSilence(added.id, "carol", 400)).toEqual(expired);
    } finally {
      second.close();
    }
  });

  it("both stores refuse a bad draft with the same message and store nothing", async () => {
    const memory = createMemoryTicketStore();
    const sqlite = openTicketStore(tempDbPath(), { now: () => 0 });
    const bad: SilenceDraft[] = [
      { matchers: [], startsAt: 0, endsAt: 10, createdBy: "a", comment: "c" },
      {
        matchers: [{ name: "subject", value: "(", regex: true }],
        startsAt: 0,
        endsAt: 10,
        createdBy: "a",
        comment: "c",
      },
      {
        matchers: [{ name: "subject", value: "x", regex: false }],
        startsAt: 10,
        endsAt: 10,
        createdBy: "a",
        comment: "c",
      },
      {
        matchers: [{ name: "subject", value: "x", regex: false }],
        startsAt: 0,
        endsAt: 10,
        createdBy: "a",
        comment: " ",
      },
    ];
    try {
      for (const draft of bad) {
        const errors = await Promise.all(
          [memory, sqlite].map((store) =>
            store.addSilence(draft, 0).then(
              () => undefined,
              (e: unknown) => e,
            ),
          ),
        );
        expect(errors[0]).toBeInstanceOf(InvalidSilenceError);
        expect((errors[1] as Error).message).toBe((errors[0] as Error).message);
      }
      expect(await sqlite.listSilences({ all: true, now: 0 })).toEqual([]);
      expect(await memory.listSilences({ all: true, now: 0 })).toEqual([]);
      await expect(sqlite.expireSilence(7, "bob", 0)).rejects.toThrow("No silence with id 7");
    } finally {
      sqlite.close();
    }
  });

  it("stored regex matchers stay anchored after a round trip", async () => {
    const sqlite = openTicketStore(tempDbPath(), { now: () => 0 });
    try {
      const silence: Silence = await sqlite.addSilence(
        {
          matchers: [{ name: "entity", value: "store-1", regex: true }],
          startsAt: 0,
          endsAt: 10,
          createdBy: "a",
          comment: "c",
        },
        0,
      );
      const [read] = await sqlite.activeSilences(1);
      const ticket = { subject: "s", invariant: "i", severity: "warning" as const };
      expect(silenceMatches(read ?? silence, { ...ticket, entity: "store-1" })).toBe(true);
      expect(silenceMatches(read ?? silence, { ...ticket, entity: "store-12" })).toBe(false);
    } finally {
      sqlite.close();
    }
  });
});
