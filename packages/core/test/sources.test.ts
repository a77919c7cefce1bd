import { describe, expect, it } from "vitest";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { createMonitor } from "../src/monitor.ts";
import type { EntityResult, Subject } from "../src/subject.ts";
import { harness, ok, violated } from "./harness.ts";
import { memoryLogger, passThrough } from "./helpers.ts";

const refused = "connect ECONNREFUSED 127.0.0.1:9090";

describe("rule 12: every source is watched (source_unreachable)", () => {
  it("opens <subject>/source_unreachable/<source> after N failed cycles, while the results still count", async () => {
    const h = harness({ unreachableAfter: 3 });
    const cycle = (prometheus: string | null) =>
      h.cycle({ sources: { prometheus, pd: null }, invariants: { inv: [violated("4")] } });
    const first = await cycle(refused);
    expect(first.opened.map((t) => t.key)).toEqual(["db/inv/4"]);
    expect(first.plan.sourceFailures).toEqual({ db: { prometheus: refused } });
    h.advance(30_000);
    expect((await cycle(refused)).opened).toEqual([]);
    h.advance(30_000);
    const third = await cycle(refused);
    expect(third.opened).toHaveLength(1);
    expect(third.opened[0]).toMatchObject({
      key: "db/source_unreachable/prometheus",
      severity: "critical",
      message: `Source "prometheus" of subject "db" could not be read for 3 consecutive cycles: ${refused}`,
    });
    h.advance(30_000);
    const back = await cycle(null);
    expect(back.resolved.map((t) => t.key)).toEqual(["db/source_unreachable/prometheus"]);
    expect((await h.events(back.resolved[0]?.id ?? 0)).at(-1)).toMatchObject({
      kind: "resolved",
      comment: "prometheus answered again",
    });
    expect(h.store.states().find((s) => s.key === "db/source_unreachable/prometheus")?.failures).toBe(0);
  });

  it("a failed observation leaves source keys untouched; a source absent from the record is not counted", async () => {
    const h = harness({ unreachableAfter: 2 });
    await h.cycle({ sources: { prometheus: refused }, invariants: { inv: [ok("4")] } });
    h.advance(30_000);
    await h.cycle({ failure: "PD timed out", sources: { prometheus: null }, invariants: { inv: [] } });
    h.advance(30_000);
    await h.cycle({ sources: {}, invariants: { inv: [ok("4")] } });
    const state = h.store.states().find((s) => s.key === "db/source_unreachable/prometheus");
    expect(state?.failures).toBe(1);
    h.advance(30_000);
    const second = await h.cycle({ sources: { prometheus: refused }, invariants: { inv: [ok("4")] } });
    expect(second.opened.map((t) => t.key)).toEqual(["db/source_unreachable/prometheus"]);
  });

  it("the monitor warns on the first failed cycle of a source, names it, and counts the unknown results", async () => {
    let prometheus: string | null = refused;
    const subject: Subject<readonly EntityResult[]> = {
      name: "prod",
      kind: "test",
      invariants: [passThrough("latency")],
      observe: async () =>
        prometheus === null ? [ok("4")] : [{ entity: "4", outcome: "unknown", reason: refused }],
      sources: () => ({ prometheus }),
    };
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [subject as Subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
    });
    const report = await monitor.runOnce();
    expect(report.sourceFailures).toEqual({ prod: { prometheus: refused } });
    expect(log.lines.filter((l) => l.level === "warn").map((l) => l.message)).toEqual([
      `Source "prometheus" of subject "prod" could not be read: ${refused}`,
    ]);
    expect(log.messages().at(-1)).toMatch(/1 unknown/);
    prometheus = null;
    expect((await monitor.runOnce()).sourceFailures).toEqual({});
  });

  it("sources() that throws or answers nonsense fails the observation with a message naming it", async () => {
    const make = (sources: () => unknown): Subject => ({
      name: "prod",
      kind: "test",
      invariants: [passThrough()],
      observe: async () => [],
      sources: sources as NonNullable<Subject["sources"]>,
    });
    const run = async (subject: Subject) =>
      (
        await createMonitor({
          subjects: [subject],
          store: createMemoryTicketStore(),
          logger: memoryLogger().logger,
        }).runOnce()
      ).failures.prod;
    expect(
      await run(
        make(() => {
          throw new Error("boom");
        }),
      ),
    ).toBe("sources() failed: boom");
    expect(await run(make(() => ["prometheus"]))).toMatch(/^sources\(\) failed: expected a record/);
    expect(await run(make(() => ({ "bad name": null })))).toMatch(/invalid source name "bad name"/);
    expect(await run(make(() => ({ prometheus: 42 })))).toMatch(
      /source "prometheus": expected null or a non-empty reason/,
    );
  });
});
