import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_FLAP_OPTIONS,
  flapPercent,
  onsetsInWindow,
  recordFlapState,
  resolveFlapOptions,
} from "../src/flapping.ts";
import { harness, ok, violated } from "./harness.ts";

const states = (max = 30, min = 0) =>
  fc.array(fc.constantFrom("o", "v"), { minLength: min, maxLength: max }).map((a) => a.join(""));

describe("flapPercent (Nagios weighted state change)", () => {
  it("weighs a change from 0.75 (oldest pair) to 1.25 (newest pair), times 100/20", () => {
    expect(flapPercent("")).toBe(0);
    expect(flapPercent("v".repeat(21))).toBe(0);
    expect(flapPercent(`v${"o".repeat(20)}`)).toBeCloseTo(0.75 * 5);
    expect(flapPercent(`${"o".repeat(20)}v`)).toBeCloseTo(1.25 * 5);
    expect(flapPercent("ov")).toBeCloseTo(1.25 * 5);
    expect(flapPercent("ov".repeat(11).slice(0, 21))).toBeCloseTo(100);
  });

  it("stays within 0..100 and only the newest 21 states count", () => {
    fc.assert(
      fc.property(states(60), (history) => {
        const percent = flapPercent(history);
        expect(percent).toBeGreaterThanOrEqual(0);
        expect(percent).toBeLessThanOrEqual(100 + 1e-9);
        expect(percent).toBe(flapPercent(history.slice(-21)));
      }),
    );
  });

  it("a newer change weighs more than an older one", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 19 }), (at) => {
        const older = "o".repeat(at) + "v".repeat(21 - at);
        const newer = "o".repeat(at + 1) + "v".repeat(20 - at);
        expect(flapPercent(newer)).toBeGreaterThan(flapPercent(older));
      }),
    );
  });

  it("a state that differs from both neighbours adds two changes and raises the percent", () => {
    fc.assert(
      fc.property(states(21, 21), fc.integer({ min: 1, max: 19 }), (history, at) => {
        fc.pre(history[at - 1] === history[at] && history[at + 1] === history[at]);
        const flipped = history.slice(0, at) + (history[at] === "o" ? "v" : "o") + history.slice(at + 1);
        expect(flapPercent(flipped)).toBeGreaterThan(flapPercent(history));
      }),
    );
  });

  it("rejects options that cannot work", () => {
    expect(() => resolveFlapOptions({ startPercent: 10, stopPercent: 20 })).toThrow(
      /stopPercent <= startPercent/,
    );
    expect(() => resolveFlapOptions({ historySize: 1 })).toThrow(/historySize/);
  });
});

describe("recordFlapState", () => {
  const noOnsets = { ...DEFAULT_FLAP_OPTIONS, onsets: 0 };
  const feed = (history: string, options = noOnsets) =>
    [...history].reduce(
      (state, mark, i) => recordFlapState(state, mark === "v" ? "violated" : "ok", i * 30_000, options),
      { history: "", onsets: [] as readonly number[], flapping: false },
    );

  it("starts at 30 % or more", () => {
    expect(flapPercent("vovovo")).toBeLessThan(30);
    expect(feed("vovovo").flapping).toBe(false);
    expect(flapPercent("vovovov")).toBeGreaterThanOrEqual(30);
    expect(feed("vovovov").flapping).toBe(true);
  });

  it("keeps the flag between 20 % and 30 %, and stops at the first state at 20 % or less (rule 5)", () => {
    const flapping = feed("vovovov");
    let state = flapping;
    let t = 7 * 30_000;
    const steps: number[] = [];
    while (state.flapping) {
      t += 30_000;
      state = recordFlapState(state, "violated", t, noOnsets);
      steps.push(flapPercent(state.history));
    }
    expect(steps.at(-1)).toBeLessThanOrEqual(20);
    expect(steps.slice(0, -1).every((percent) => percent > 20)).toBe(true);
    expect(steps.some((percent) => percent < 30)).toBe(true);
  });

  it("issue 13 item 7: a settled key stops at the first state at 20 % or less, with onsets still in the history", () => {
    let state = feed("vvvoovvvoovvvoovvv", DEFAULT_FLAP_OPTIONS);
    expect(state.flapping).toBe(true);
    let t = 18 * 30_000;
    const percents: number[] = [];
    while (state.flapping) {
      t += 30_000;
      state = recordFlapState(state, "ok", t, DEFAULT_FLAP_OPTIONS);
      percents.push(flapPercent(state.history));
    }
    expect(percents.findIndex((percent) => percent <= 20)).toBe(percents.length - 1);
    expect(state.history).toContain("ov");
    expect(percents).toHaveLength(11);
  });

  it("a settled key stops flapping after one history of steady states, not after the onset window", () => {
    const minute = 60_000;
    let state = feed("vovovov", DEFAULT_FLAP_OPTIONS);
    expect(state.flapping).toBe(true);
    let t = 7 * 30_000;
    let steady = 0;
    while (state.flapping && steady < 100) {
      t += 1_000;
      steady++;
      state = recordFlapState(state, "ok", t, DEFAULT_FLAP_OPTIONS);
    }
    expect(state.flapping).toBe(false);
    expect(steady).toBeLessThanOrEqual(21);
    expect(onsetsInWindow(state.onsets, t, DEFAULT_FLAP_OPTIONS)).toBeGreaterThanOrEqual(3);
    expect(t).toBeLessThan(10 * minute);
  });

  it("keeps at most historySize states and never more onsets than the threshold", () => {
    fc.assert(
      fc.property(states(80), (history) => {
        const state = feed(history, DEFAULT_FLAP_OPTIONS);
        expect(state.history.length).toBeLessThanOrEqual(21);
        expect(state.onsets.length).toBeLessThanOrEqual(3);
      }),
    );
  });
});

describe("rule 5: flapping tickets", () => {
  it("three openings within 10 minutes trip it at 30 s intervals, where the percent alone stays under 30", async () => {
    const h = harness();
    const sequence = ["v", "o", "v", "o", "v"];
    const results = [];
    for (const mark of sequence) {
      results.push(await h.step([mark === "v" ? violated("4") : ok("4")]));
      h.advance(30_000);
    }
    expect(flapPercent("vovov")).toBeLessThan(30);
    expect(results.flatMap((r) => r.opened).map((t) => t.flapping)).toEqual([false, false, true]);
    const ticket = results[4]?.opened[0];
    expect((await h.events(ticket?.id ?? 0)).map((e) => e.kind)).toEqual(["opened", "flapping_started"]);

    let resolvedAt = 0;
    for (let i = 0; i < 40 && !resolvedAt; i++) {
      const result = await h.step([ok("4")]);
      if (result.resolved.length) resolvedAt = h.now;
      else expect(await h.open()).toHaveLength(1);
      h.advance(30_000);
    }
    expect(resolvedAt - (ticket?.firstSeenAt ?? 0)).toBeGreaterThan(10 * 60_000 - 2 * 60_000);
    const events = await h.events(ticket?.id ?? 0);
    expect(events.map((e) => e.kind)).toEqual(["opened", "flapping_started", "flapping_stopped", "resolved"]);
    expect((await h.all()).find((t) => t.id === ticket?.id)).toMatchObject({
      flapping: false,
      status: "resolved",
    });
  });

  it("three openings within 10 minutes trip it at 1 s intervals, where 21 states span only 20 s", async () => {
    const h = harness();
    const opened = [];
    for (let second = 0; second <= 360; second++) {
      const violatedNow = second % 180 === 0;
      const result = await h.step([violatedNow ? violated("4") : ok("4")]);
      opened.push(...result.opened);
      h.advance(1000);
    }
    expect(opened.map((t) => t.flapping)).toEqual([false, false, true]);
    expect(flapPercent(`${"o".repeat(20)}v`)).toBeLessThan(20);
  });

  it("a flapping key's ticket stays open through clear cycles and records the start once", async () => {
    const h = harness({ flap: { onsets: 0 } });
    for (const mark of "vovovov") {
      await h.step([mark === "v" ? violated("4") : ok("4")]);
      h.advance(30_000);
    }
    const [ticket] = await h.open();
    expect(ticket?.flapping).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect((await h.step([ok("4")])).resolved).toHaveLength(0);
      await h.step([violated("4")]);
      h.advance(30_000);
    }
    const kinds = (await h.events(ticket?.id ?? 0)).map((e) => e.kind);
    expect(kinds.filter((k) => k === "flapping_started")).toHaveLength(1);
    expect(kinds).not.toContain("resolved");
  });
});
