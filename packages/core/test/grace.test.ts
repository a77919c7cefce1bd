import { describe, expect, it } from "vitest";
import { decideKey, type KeyInput } from "../src/decide-key.ts";
import { DEFAULT_FLAP_OPTIONS } from "../src/flapping.ts";
import { harness, ok, unknown, violated } from "./harness.ts";

describe("rule 2: grace period (for)", () => {
  const settings = { inv: { forMs: 60_000 } };

  it("opens only after the key was violated for `for`, with firstSeenAt at the start of the violation", async () => {
    const h = harness({ settings });
    const start = h.now;
    await h.step([violated("4")]);
    h.advance(30_000);
    expect((await h.step([violated("4")])).opened).toHaveLength(0);
    expect(h.store.states()[0]).toMatchObject({ key: "db/inv/4", pendingSince: start });
    h.advance(30_000);
    const result = await h.step([violated("4")]);
    expect(result.opened).toHaveLength(1);
    expect(result.opened[0]).toMatchObject({
      firstSeenAt: start,
      lastSeenAt: start + 60_000,
      occurrenceCount: 1,
    });
  });

  it("measures the grace from the start of the cycle that first saw the violation, whatever its reads took", () => {
    const input = (observedAt: number, now: number, state?: KeyInput["state"]): KeyInput => ({
      parts: { key: "db/inv/4", subject: "db", invariant: "inv", entity: "4" },
      state,
      ticket: undefined,
      outcome: { outcome: "violated", message: "down", values: {}, severity: "warning" },
      forMs: 10_000,
      clearMs: 0,
      observedAt,
      now,
      batchKey: "c",
      flap: DEFAULT_FLAP_OPTIONS,
    });
    // The first cycle's reads took 900 ms, the eleventh's 50 ms: ten intervals of 1 s passed all the same.
    const first = decideKey(input(0, 900));
    expect(first.state.pendingSince).toBe(0);
    expect(decideKey(input(9_000, 9_050, first.state)).open).toBeNull();
    const tenth = decideKey(input(10_000, 10_050, first.state));
    expect(tenth.open).toMatchObject({ firstSeenAt: 0, lastSeenAt: 10_050, createdAt: 10_050 });
  });

  it("one unknown cycle does not reset the pending clock", async () => {
    const h = harness({ settings });
    await h.step([violated("4")]);
    h.advance(30_000);
    await h.step([unknown("4")]);
    h.advance(30_000);
    expect((await h.step([violated("4")])).opened).toHaveLength(1);
  });

  it("a failed observation does not reset the pending clock either", async () => {
    const h = harness({ settings });
    await h.step([violated("4")]);
    h.advance(30_000);
    await h.cycle({ failure: "timeout", invariants: { inv: [] } });
    h.advance(30_000);
    expect((await h.step([violated("4")])).opened).toHaveLength(1);
  });

  it("one ok cycle resets it", async () => {
    const h = harness({ settings });
    await h.step([violated("4")]);
    h.advance(30_000);
    await h.step([ok("4")]);
    h.advance(30_000);
    const again = h.now;
    expect((await h.step([violated("4")])).opened).toHaveLength(0);
    h.advance(30_000);
    expect((await h.step([violated("4")])).opened).toHaveLength(0);
    h.advance(30_000);
    const result = await h.step([violated("4")]);
    expect(result.opened[0]?.firstSeenAt).toBe(again);
  });

  it("for 0 opens on the first violated cycle", async () => {
    const h = harness();
    expect((await h.step([violated("4")])).opened).toHaveLength(1);
  });
});

describe("rule 3: recurrence", () => {
  it("updates lastSeenAt, count, message and values; firstSeenAt never moves", async () => {
    const h = harness();
    const start = h.now;
    await h.step([violated("4", "Store 4 is Disconnected")]);
    h.advance(30_000);
    await h.step([{ ...violated("4", "Store 4 is Down"), values: { state: "Down" } }]);
    const [ticket] = await h.open();
    expect(ticket).toMatchObject({
      firstSeenAt: start,
      lastSeenAt: start + 30_000,
      occurrenceCount: 2,
      message: "Store 4 is Down",
      firstValues: { entity: "4" },
      lastValues: { state: "Down" },
    });
  });

  it("a changed severity is written with a severity_changed event", async () => {
    const h = harness();
    await h.step([violated("4", "Disconnected", { severity: "warning" })]);
    await h.step([violated("4", "Down", { severity: "critical" })]);
    const [ticket] = await h.open();
    expect(ticket?.severity).toBe("critical");
    const events = await h.events(ticket?.id ?? 0);
    expect(events.map((e) => [e.kind, e.from, e.to])).toEqual([
      ["opened", null, "open"],
      ["severity_changed", "warning", "critical"],
    ]);
  });

  it("a violation after a resolve opens a new ticket at once, naming the previous one", async () => {
    const h = harness({ settings: { inv: { forMs: 60_000 } } });
    await h.step([violated("4")]);
    h.advance(60_000);
    const first = (await h.step([violated("4")])).opened[0];
    h.advance(30_000);
    await h.step([ok("4")]);
    h.advance(30_000);
    await h.step([violated("4")]);
    h.advance(60_000);
    const second = (await h.step([violated("4")])).opened[0];
    expect(second?.previousTicketId).toBe(first?.id);
  });

  it("after a person resolves a ticket that is still violated, the next cycle opens a new one at once", async () => {
    const h = harness({ settings: { inv: { forMs: 60_000 } } });
    await h.step([violated("4")]);
    h.advance(60_000);
    const first = (await h.step([violated("4")])).opened[0];
    await h.store.applyAction(first?.id ?? 0, { type: "resolve", actor: "alice" }, h.now);
    h.advance(30_000);
    const result = await h.step([violated("4")]);
    expect(result.opened).toHaveLength(1);
    expect(result.opened[0]).toMatchObject({ previousTicketId: first?.id, occurrenceCount: 1 });
  });
});
