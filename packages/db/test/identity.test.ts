import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { realPlan } from "./helpers/real-planner.ts";
import { testClock } from "./helpers/store.ts";
import { tempDbPath } from "./helpers/temp.ts";

const down = {
  store_down: [{ entity: "4", outcome: "violated" as const, message: "Store 4 is Down", values: {} }],
};
const up = { store_down: [{ entity: "4", outcome: "ok" as const }] };

describe("subject identity in the SQLite store", () => {
  it("survives a restart: another cluster id is not trusted until a person resolves identity_changed", async () => {
    const path = tempDbPath();
    const clock = testClock();
    let step = 0;
    const run = async (view: typeof down | typeof up, identity: string) => {
      const store = openTicketStore(path, { now: clock.now });
      try {
        const now = clock.advance(30_000);
        const plan = realPlan(`c${++step}`, now, { prod: view }, { prod: { identity } });
        return await store.recordCycle(["prod"], plan);
      } finally {
        store.close();
      }
    };

    const [storeDown] = (await run(down, "cluster-1")).opened;
    const swapped = await run(up, "cluster-2");
    expect(swapped.resolved).toEqual([]);
    expect(swapped.opened.map((t) => [t.key, t.severity])).toEqual([
      ["prod/identity_changed/subject", "critical"],
    ]);
    const ticket = swapped.opened[0];
    expect(ticket?.message).toContain('"cluster-2"');
    expect(ticket?.message).toContain('"cluster-1"');
    expect(ticket?.message).toContain("resolve this ticket");

    expect((await run(up, "cluster-2")).resolved).toEqual([]);

    const store = openTicketStore(path, { now: clock.now });
    await store.applyAction(ticket?.id ?? 0, { type: "resolve", actor: "alice", comment: "cluster rebuilt" });
    store.close();

    const accepted = await run(up, "cluster-2");
    expect(accepted.opened).toEqual([]);
    expect(accepted.resolved.map((t) => t.id)).toEqual([storeDown?.id]);
    const again = await run(up, "cluster-2");
    expect(again.opened).toEqual([]);
  });

  it("an identity that changes again before acceptance opens a new ticket instead of being accepted", async () => {
    const path = tempDbPath();
    const clock = testClock();
    const store = openTicketStore(path, { now: clock.now });
    try {
      let step = 0;
      const run = (identity: string) =>
        store.recordCycle(
          ["prod"],
          realPlan(`c${++step}`, clock.advance(30_000), { prod: up }, { prod: { identity } }),
        );
      await run("a");
      const [first] = (await run("b")).opened;
      await store.applyAction(first?.id ?? 0, { type: "resolve", actor: "alice" });
      const [second] = (await run("c")).opened;
      expect(second?.key).toBe("prod/identity_changed/subject");
      expect(second?.previousTicketId).toBe(first?.id);
      expect(second?.message).toContain('"c"');
    } finally {
      store.close();
    }
  });
});
