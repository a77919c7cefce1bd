import type { AttemptOutcome } from "@operator/core";
import { describe, expect, it } from "vitest";
import { GroupCommit } from "../src/group-commit.ts";
import { cycle, freshStore } from "./helpers/store.ts";

describe("GroupCommit", () => {
  it("writes the items added in one turn with one write, in order, and settles each caller after it", async () => {
    const writes: string[][] = [];
    const settled: string[] = [];
    const group = new GroupCommit<string>(async (items) => {
      writes.push([...items]);
      settled.push(`write ${items.join(",")}`);
    });
    const first = ["a", "b", "c"].map((item) => group.add(item).then(() => settled.push(item)));
    await Promise.all(first);
    await group.add("d").then(() => settled.push("d"));
    expect(writes).toEqual([["a", "b", "c"], ["d"]]);
    expect(settled).toEqual(["write a,b,c", "a", "b", "c", "write d", "d"]);
  });

  it("a failed write rejects every caller of that write; items added later go to a new write", async () => {
    let fail = true;
    const writes: number[][] = [];
    const group = new GroupCommit<number>(async (items) => {
      writes.push([...items]);
      if (fail) throw new Error("disk I/O error");
    });
    const outcomes = await Promise.allSettled([group.add(1), group.add(2)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    fail = false;
    await expect(group.add(3)).resolves.toBeUndefined();
    expect(writes).toEqual([[1, 2], [3]]);
  });
});

describe("recordAttempt on SQLite", () => {
  it("attempts recorded at once (a channel's lanes) each count as if recorded one by one", async () => {
    const { store, clock } = freshStore();
    try {
      await store.openChannel("hook", clock.now());
      await cycle(store, clock, ["s/a/1", "s/a/2", "s/a/3", "s/a/4"]);
      const due = await store.nextNotifications("hook", undefined, clock.now(), 10);
      expect(due).toHaveLength(4);
      const at = clock.now();
      const outcomes: AttemptOutcome[] = [
        { outcome: "delivered" },
        { outcome: "retry", reason: "HTTP 503", nextAttemptAt: at + 60_000 },
        { outcome: "failed", reason: "HTTP 400" },
        { outcome: "withheld", reason: "silenced" },
      ];
      await Promise.all(
        due.map((pending, i) =>
          store.recordAttempt("hook", pending.event.id, outcomes[i] as AttemptOutcome, at + i),
        ),
      );
      const [status] = await store.notificationStatus();
      expect(status).toMatchObject({
        pending: 1,
        failed: 1,
        lastSuccessAt: at,
        lastErrorAt: at + 2,
        lastError: "HTTP 400",
      });
      expect(await store.nextNotifications("hook", undefined, at + 60_000, 10)).toMatchObject([
        { event: { id: due[1]?.event.id }, attempts: 1 },
      ]);
    } finally {
      store.close();
    }
  });
});
