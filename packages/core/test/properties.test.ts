import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { harness, ok, unknown, violated } from "./harness.ts";

type Step = "ok" | "violated" | "unknown" | "fail" | "resolve" | "hold" | "unhold" | "ack";
const step = fc.constantFrom<Step>("ok", "violated", "unknown", "fail", "resolve", "hold", "unhold", "ack");
const settings = fc.record({
  forMs: fc.constantFrom(0, 30_000, 60_000),
  clearMs: fc.constantFrom(0, 30_000, 90_000),
});

/**
 * Replays random cycles and person actions for key `db/inv/1`, calling `check` after each step with
 * how many of that key's tickets the cycle resolved (a successful read may also resolve the subject's
 * `subject_unreachable` ticket, which is not counted).
 */
async function replay(
  steps: readonly Step[],
  invSettings: { forMs: number; clearMs: number },
  check: (info: { step: Step; resolved: number; held: boolean; now: number }) => void,
) {
  const h = harness({ settings: { inv: invSettings } });
  for (const s of steps) {
    const [current] = await h.open();
    let resolved = 0;
    if (s === "ok" || s === "violated" || s === "unknown") {
      const result = await h.step([s === "ok" ? ok("1") : s === "violated" ? violated("1") : unknown("1")]);
      resolved = result.resolved.filter((t) => t.key === "db/inv/1").length;
    } else if (s === "fail") {
      resolved = (await h.cycle({ failure: "timeout", invariants: { inv: [] } })).resolved.length;
      expect(resolved).toBe(0);
    } else if (current) {
      const type = s === "ack" ? "acknowledge" : s;
      await h.store.applyAction(current.id, { type, actor: "alice" }, h.now).catch(() => undefined);
    }
    const open = await h.open();
    expect(open.filter((t) => t.key === "db/inv/1").length).toBeLessThanOrEqual(1);
    check({ step: s, resolved, held: current?.held ?? false, now: h.now });
    h.advance(30_000);
  }
  return h;
}

describe("properties over random outcome sequences", () => {
  it("at most one unresolved ticket per key", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), settings, async (steps, s) => {
        await replay(steps, s, () => {});
      }),
      {
        numRuns: 150,
      },
    );
  });

  it("an unknown result or a failed read never resolves anything", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), settings, async (steps, s) => {
        await replay(steps, s, ({ step, resolved }) => {
          if (step === "unknown" || step === "fail") expect(resolved).toBe(0);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("a resolve needs ok cycles for the whole clear window: an unknown cycle or a failed read restarts it", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), settings, async (steps, s) => {
        let okSince: number | null = null;
        await replay(steps, s, ({ step, resolved, now }) => {
          if (step === "ok") okSince ??= now;
          else if (step === "violated" || step === "unknown" || step === "fail") okSince = null;
          if (resolved) expect(now - (okSince ?? now)).toBeGreaterThanOrEqual(s.clearMs);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("a held ticket is never resolved by the monitor", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), settings, async (steps, s) => {
        await replay(steps, s, ({ resolved, held }) => {
          if (held) expect(resolved).toBe(0);
        });
      }),
      { numRuns: 150 },
    );
  });

  it("every resolve by the monitor follows an ok cycle, and events only grow", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 30 }), settings, async (steps, s) => {
        const h = await replay(steps, s, ({ step, resolved }) => {
          if (resolved) expect(step).toBe("ok");
        });
        for (const ticket of await h.all()) {
          const events = await h.events(ticket.id);
          expect(events[0]?.kind).toBe("opened");
          expect(events.map((e) => e.at)).toEqual([...events.map((e) => e.at)].sort((a, b) => a - b));
          expect(events.filter((e) => e.kind === "resolved").length).toBe(
            ticket.status === "resolved" ? 1 : 0,
          );
        }
      }),
      { numRuns: 100 },
    );
  });
});
