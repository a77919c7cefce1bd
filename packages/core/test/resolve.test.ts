import { describe, expect, it } from "vitest";
import { harness, ok, unknown, violated } from "./harness.ts";

describe("rule 4: auto-resolve", () => {
  it("clear 0 resolves on the first ok cycle, recording the monitor", async () => {
    const h = harness();
    await h.step([violated("4")]);
    h.advance(30_000);
    const result = await h.step([ok("4")]);
    expect(result.resolved).toHaveLength(1);
    expect(result.resolved[0]).toMatchObject({
      status: "resolved",
      resolvedAt: h.now,
      resolvedBy: "monitor",
    });
    const events = await h.events(result.resolved[0]?.id ?? 0);
    expect(events.at(-1)).toMatchObject({ kind: "resolved", actor: "monitor", from: "open", to: "resolved" });
  });

  it("resolves only after the key was ok for its clear window; a violation restarts the window", async () => {
    const h = harness({ settings: { inv: { clearMs: 60_000 } } });
    await h.step([violated("4")]);
    h.advance(30_000);
    expect((await h.step([ok("4")])).resolved).toHaveLength(0);
    h.advance(30_000);
    expect((await h.step([violated("4")])).resolved).toHaveLength(0);
    h.advance(30_000);
    await h.step([ok("4")]);
    h.advance(30_000);
    expect((await h.step([ok("4")])).resolved).toHaveLength(0);
    h.advance(30_000);
    expect((await h.step([ok("4")])).resolved).toHaveLength(1);
  });

  it("unknown cycles never resolve, even past the clear window, and restart it: the window needs ok cycles only", async () => {
    const h = harness({ settings: { inv: { clearMs: 30_000 } } });
    await h.step([violated("4")]);
    h.advance(30_000);
    await h.step([ok("4")]);
    for (let i = 0; i < 4; i++) {
      h.advance(30_000);
      expect((await h.step([unknown("4")])).resolved).toHaveLength(0);
    }
    h.advance(30_000);
    expect((await h.step([ok("4")])).resolved).toHaveLength(0);
    h.advance(30_000);
    const [resolved] = (await h.step([ok("4")])).resolved;
    const events = await h.events(resolved?.id ?? 0);
    expect(events.at(-1)).toMatchObject({ kind: "resolved", actor: "monitor", comment: "clear for 30s" });
  });

  it("issue 13 item 3: with a 60 s window, ok, unknown, unknown, ok does not resolve; three ok cycles do", async () => {
    const h = harness({ settings: { inv: { clearMs: 60_000 } } });
    await h.step([violated("4")]);
    const script = [ok("4"), unknown("4"), unknown("4"), ok("4"), ok("4"), ok("4")];
    const resolvedAt: number[] = [];
    for (const [i, answer] of script.entries()) {
      h.advance(30_000);
      if ((await h.step([answer])).resolved.length) resolvedAt.push(i);
    }
    expect(resolvedAt).toEqual([5]);
  });

  it("an invariant that cannot be evaluated at all restarts the clear window of its keys too", async () => {
    const h = harness({ settings: { inv: { clearMs: 60_000 } } });
    await h.step([violated("4")]);
    const script = [[ok("4")], { unknown: "prometheus down" }, [ok("4")], [ok("4")]] as const;
    const resolved: number[] = [];
    for (const answer of script) {
      h.advance(30_000);
      resolved.push((await h.step(answer)).resolved.length);
    }
    expect(resolved).toEqual([0, 0, 0, 0]);
    h.advance(30_000);
    expect((await h.step([ok("4")])).resolved).toHaveLength(1);
  });

  it("every automatic resolve records its reason: the clear window, or absence from the results", async () => {
    const h = harness();
    const [a] = (await h.step([violated("4"), violated("5")])).opened;
    h.advance(30_000);
    const { resolved } = await h.step([ok("4")]);
    expect(resolved.map((t) => t.entity).sort()).toEqual(["4", "5"]);
    const reasons = await Promise.all(
      resolved.map(async (t) => [t.entity, (await h.events(t.id)).at(-1)?.comment]),
    );
    expect(Object.fromEntries(reasons)).toEqual({
      "4": "evaluated ok",
      "5": "no longer reported by the subject",
    });
    expect(a?.entity).toBe("4");
  });

  it("a held ticket is never resolved by the monitor; after unhold the next ok cycle resolves it", async () => {
    const h = harness();
    const [ticket] = (await h.step([violated("4")])).opened;
    const id = ticket?.id ?? 0;
    await h.store.applyAction(id, { type: "hold", actor: "alice" }, h.now);
    for (let i = 0; i < 3; i++) {
      h.advance(30_000);
      expect((await h.step([ok("4")])).resolved).toHaveLength(0);
    }
    await h.store.applyAction(id, { type: "unhold", actor: "alice" }, h.now);
    h.advance(30_000);
    expect((await h.step([ok("4")])).resolved.map((t) => t.id)).toEqual([id]);
  });

  it("acknowledged and diagnosed tickets auto-resolve too", async () => {
    const h = harness();
    const opened = (await h.step([violated("1"), violated("2")])).opened;
    await h.store.applyAction(opened[0]?.id ?? 0, { type: "acknowledge", actor: "alice" }, h.now);
    await h.store.applyAction(
      opened[1]?.id ?? 0,
      { type: "diagnose", actor: "bob", diagnosis: "disk" },
      h.now,
    );
    h.advance(30_000);
    const result = await h.step([ok("1"), ok("2")]);
    expect(result.resolved.map((t) => t.status)).toEqual(["resolved", "resolved"]);
    const events = await h.events(opened[1]?.id ?? 0);
    expect(events.at(-1)).toMatchObject({ kind: "resolved", from: "diagnosed" });
  });
});

describe("rule 6: batching", () => {
  it("tickets opened in one cycle share its batch key; tickets of other cycles do not", async () => {
    const h = harness();
    const first = await h.cycle({
      invariants: { store_down: [violated("4")], high_latency: [violated("5")] },
    });
    expect(first.opened.map((t) => t.batchKey)).toEqual([first.id, first.id]);
    h.advance(30_000);
    const second = await h.cycle({
      invariants: { store_down: [violated("4"), violated("6")], high_latency: [] },
    });
    expect(second.opened.map((t) => [t.entity, t.batchKey])).toEqual([["6", second.id]]);
    expect(second.resolved.map((t) => t.entity)).toEqual(["5"]);
    expect(second.id > first.id).toBe(true);
  });

  it("a resolve is written in the cycle that sees the key clear, not later", async () => {
    const h = harness();
    await h.step([violated("1")]);
    h.advance(30_000);
    const result = await h.step([ok("1"), violated("2")]);
    expect(result.resolved).toHaveLength(1);
    expect(result.opened).toHaveLength(1);
  });
});

describe("key state rows", () => {
  it("a key that is always ok has no row; a key's row goes once it carries nothing", async () => {
    const h = harness();
    await h.step([ok("1"), ok("2")]);
    expect(h.store.states()).toEqual([]);
    await h.step([violated("1"), ok("2")]);
    expect(h.store.states().map((s) => s.key)).toEqual(["db/inv/1"]);
    for (let i = 0; i < 21; i++) {
      h.advance(30_000);
      await h.step([ok("1"), ok("2")]);
    }
    expect(h.store.states()).toEqual([]);
  });

  it("a flap onset keeps the row until the flap window has passed", async () => {
    const h = harness({ flap: { historySize: 3 } });
    await h.step([violated("1")]);
    for (let i = 0; i < 5; i++) {
      h.advance(60_000);
      await h.step([ok("1")]);
    }
    expect(h.store.states()).toHaveLength(1);
    h.advance(300_001);
    await h.step([ok("1")]);
    expect(h.store.states()).toEqual([]);
  });
});
