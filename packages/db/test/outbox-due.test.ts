import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { DUE_HEADS } from "../src/outbox.ts";
import { cycle, freshStore } from "./helpers/store.ts";

describe("the outbox's read of due notifications", () => {
  it("walks the pending rows in event order: no sort of the whole backlog, no scan of delivered rows", () => {
    const { store, path } = freshStore();
    store.close();
    const db = new Database(path, { readonly: true });
    try {
      const plan = db
        .prepare<[{ channel: string; now: number; scope: null; limit: number }], { detail: string }>(
          `EXPLAIN QUERY PLAN ${DUE_HEADS}`,
        )
        .all({ channel: "hook", now: 0, scope: null, limit: 100 })
        .map((row) => row.detail);
      expect(plan[0]).toBe("SEARCH d USING INDEX notification_deliveries_pending_order (channel=?)");
      expect(plan.join("\n")).not.toContain("TEMP B-TREE");
    } finally {
      db.close();
    }
  });

  it("returns per key only the earliest pending event, due ones only, in event order, at most limit", async () => {
    const { store, clock } = freshStore();
    try {
      await store.openChannel("hook", clock.now());
      const opened = await cycle(store, clock, ["s/a/1", "s/a/2", "s/a/3"]);
      const [first, second] = opened.opened;
      for (const ticket of [first, second]) {
        await store.applyAction(ticket?.id ?? 0, { type: "acknowledge", actor: "alice" }, clock.now());
      }
      const now = clock.now();
      const due = await store.nextNotifications("hook", undefined, now, 10);
      expect(due.map((n) => `${n.ticket.key} ${n.event.kind}`)).toEqual([
        "s/a/1 opened",
        "s/a/2 opened",
        "s/a/3 opened",
      ]);
      await store.recordAttempt("hook", due[0]?.event.id ?? 0, { outcome: "delivered" }, now);
      await store.recordAttempt(
        "hook",
        due[1]?.event.id ?? 0,
        {
          outcome: "retry",
          reason: "HTTP 503",
          nextAttemptAt: now + 60_000,
        },
        now,
      );
      const next = await store.nextNotifications("hook", undefined, now, 10);
      expect(next.map((n) => `${n.ticket.key} ${n.event.kind}`)).toEqual([
        "s/a/3 opened",
        "s/a/1 acknowledged",
      ]);
      expect(await store.nextNotifications("hook", undefined, now, 1)).toHaveLength(1);
      const later = await store.nextNotifications("hook", undefined, now + 60_000, 10);
      expect(later.map((n) => `${n.ticket.key} ${n.event.kind}`)).toEqual([
        "s/a/2 opened",
        "s/a/3 opened",
        "s/a/1 acknowledged",
      ]);
    } finally {
      store.close();
    }
  });
});
