import { describe, expect, it } from "vitest";
import type { EntityResult } from "../src/subject.ts";
import { harness, ok, violated } from "./harness.ts";

const gone = (
  entity: string,
  reason = `store ${entity} removed from the cluster (Tombstone)`,
): EntityResult => ({
  entity,
  outcome: "ok",
  gone: reason,
});

describe("an entity that is gone (OkResult.gone)", () => {
  it("resolves the open ticket at once, past any clear window, with the reason as event comment and message", async () => {
    const h = harness({ settings: { inv: { clearMs: 600_000 } } });
    const [ticket] = (await h.step([violated("4", "Store 4 is Down")])).opened;
    h.advance(30_000);
    const result = await h.step([gone("4")]);
    expect(result.resolved.map((t) => t.id)).toEqual([ticket?.id]);
    expect(result.resolved[0]?.message).toBe("store 4 removed from the cluster (Tombstone)");
    const last = (await h.events(ticket?.id ?? 0)).at(-1);
    expect(last).toMatchObject({
      kind: "resolved",
      actor: "monitor",
      comment: "store 4 removed from the cluster (Tombstone)",
    });
    expect(h.store.states()).toEqual([]);
  });

  it("resolves a flapping ticket too, recording the end of flapping first", async () => {
    const h = harness({ flap: { onsets: 0 } });
    for (const mark of "vovovov") {
      await h.step([mark === "v" ? violated("4") : ok("4")]);
      h.advance(30_000);
    }
    const [ticket] = await h.open();
    expect(ticket?.flapping).toBe(true);
    const result = await h.step([gone("4")]);
    expect(result.resolved).toHaveLength(1);
    expect(result.resolved[0]?.flapping).toBe(false);
    const kinds = (await h.events(ticket?.id ?? 0)).map((e) => e.kind);
    expect(kinds.slice(-2)).toEqual(["flapping_stopped", "resolved"]);
  });

  it("does not resolve a held ticket", async () => {
    const h = harness();
    const [ticket] = (await h.step([violated("4")])).opened;
    await h.store.applyAction(ticket?.id ?? 0, { type: "hold", actor: "alice" }, h.now);
    h.advance(30_000);
    expect((await h.step([gone("4")])).resolved).toEqual([]);
  });

  it("an empty gone text is a malformed result: the evaluation is unknown", async () => {
    const h = harness();
    await h.step([violated("4")]);
    h.advance(30_000);
    const result = await h.step([gone("4", "")]);
    expect(result.resolved).toEqual([]);
    expect(result.plan.findings[0]).toMatchObject({
      outcome: "unknown",
      reason: "invalid result #0: gone must be a non-empty string",
    });
  });
});
