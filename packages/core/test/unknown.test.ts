import { describe, expect, it } from "vitest";
import { harness, ok, unknown, violated } from "./harness.ts";

describe("rule 1: three outcomes, not two", () => {
  it("an unknown result neither opens nor resolves, and keeps the previous state", async () => {
    const h = harness();
    await h.step([unknown("4")]);
    expect(await h.all()).toHaveLength(0);

    await h.step([violated("4")]);
    const [ticket] = await h.open();
    for (let i = 0; i < 5; i++) {
      h.advance(30_000);
      const result = await h.step([unknown("4")]);
      expect(result.resolved).toHaveLength(0);
    }
    expect(await h.open()).toEqual([ticket]);
    expect(await h.events(ticket?.id ?? 0)).toHaveLength(1);
    expect(h.store.states()).toEqual([
      expect.objectContaining({ history: "v", pendingSince: ticket?.firstSeenAt }),
    ]);
  });

  it("a metric missing for one store makes only that store's key unknown", async () => {
    const h = harness();
    await h.step([violated("1"), violated("2")]);
    h.advance(30_000);
    const result = await h.step([unknown("1"), ok("2")]);
    expect(result.resolved.map((t) => t.entity)).toEqual(["2"]);
    expect((await h.open()).map((t) => t.entity)).toEqual(["1"]);
    expect(result.plan.findings).toEqual([
      expect.objectContaining({ key: "db/inv/1", outcome: "unknown", reason: "metric missing" }),
    ]);
  });

  it("an invariant that returns { unknown } or throws leaves all its keys as they were", async () => {
    const h = harness();
    await h.step([violated("1")]);
    h.advance(30_000);
    const result = await h.step({ unknown: "Prometheus returned 503" });
    expect(result.resolved).toHaveLength(0);
    expect(result.plan.log.unknown).toBe(1);
    expect(result.plan.findings[0]).toMatchObject({
      entity: null,
      outcome: "unknown",
      reason: "Prometheus returned 503",
    });
    expect(await h.open()).toHaveLength(1);
  });

  it("a malformed evaluation is unknown, not an all-clear", async () => {
    const h = harness();
    await h.step([violated("1")]);
    const malformed = [{ entity: "1", outcome: "violated" }] as never;
    const result = await h.step(malformed);
    expect(result.plan.findings[0]).toMatchObject({ outcome: "unknown" });
    expect(result.resolved).toHaveLength(0);
    const duplicate = await h.step([ok("1"), violated("1")]);
    expect(duplicate.plan.findings[0]).toMatchObject({
      outcome: "unknown",
      reason: expect.stringContaining("twice"),
    });
    expect(await h.open()).toHaveLength(1);
  });

  it("after a successful evaluation a known key without a result counts as ok", async () => {
    const h = harness();
    await h.step([violated("1"), violated("2")]);
    const result = await h.step([violated("1")]);
    expect(result.resolved.map((t) => t.entity)).toEqual(["2"]);
  });

  it("a failed observation makes every result of the subject unknown", async () => {
    const h = harness();
    await h.cycle({ invariants: { a: [violated("1")], b: [violated("2")] } });
    const result = await h.cycle({ failure: "connect ECONNREFUSED", invariants: { a: [], b: [] } });
    expect(result.resolved).toHaveLength(0);
    expect(result.opened).toHaveLength(0);
    expect(result.plan.log).toMatchObject({
      invariants: 2,
      unknown: 2,
      failures: { db: "connect ECONNREFUSED" },
    });
    expect(await h.open()).toHaveLength(2);
  });

  it("a disabled invariant is not evaluated and its keys are left alone", async () => {
    const h = harness();
    await h.step([violated("1")]);
    const result = await h.step("disabled");
    expect(result.plan.log.invariants).toBe(0);
    expect(result.resolved).toHaveLength(0);
    expect(await h.open()).toHaveLength(1);
  });
});

describe("rule 1: subject_unreachable", () => {
  const down = { failure: "connect ECONNREFUSED 127.0.0.1:2379", invariants: { inv: [] } };

  it("opens one critical ticket after N failed cycles and resolves on the first successful read", async () => {
    const h = harness({ unreachableAfter: 3 });
    for (let i = 1; i <= 2; i++) {
      const result = await h.cycle(down);
      expect(result.opened).toHaveLength(0);
      h.advance(30_000);
    }
    const third = await h.cycle(down);
    expect(third.opened).toHaveLength(1);
    expect(third.opened[0]).toMatchObject({
      key: "db/subject_unreachable/subject",
      severity: "critical",
      message: 'Subject "db" could not be read for 3 consecutive cycles: connect ECONNREFUSED 127.0.0.1:2379',
    });
    h.advance(30_000);
    const fourth = await h.cycle(down);
    expect(fourth.opened).toHaveLength(0);
    expect((await h.open())[0]).toMatchObject({
      occurrenceCount: 2,
      message: expect.stringContaining("4 consecutive"),
    });

    h.advance(30_000);
    const back = await h.cycle({ invariants: { inv: [] } });
    expect(back.resolved.map((t) => t.key)).toEqual(["db/subject_unreachable/subject"]);
    expect(back.resolved[0]).toMatchObject({ resolvedBy: "monitor" });
    expect(h.store.states()[0]).toMatchObject({ failures: 0, pendingSince: null, history: "vvo" });
  });

  it("a successful read in between restarts the count", async () => {
    const h = harness({ unreachableAfter: 3 });
    await h.cycle(down);
    await h.cycle(down);
    await h.cycle({ invariants: { inv: [] } });
    await h.cycle(down);
    const result = await h.cycle(down);
    expect(result.opened).toHaveLength(0);
    expect(h.store.states()[0]).toMatchObject({ key: "db/subject_unreachable/subject", failures: 2 });
  });
});
