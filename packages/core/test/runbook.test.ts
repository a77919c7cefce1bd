import { describe, expect, it } from "vitest";
import { checkSubject } from "../src/check-subject.ts";
import { applyOverrides } from "../src/settings.ts";
import type { Invariant, InvariantOverrides, Runbook, Subject } from "../src/subject.ts";
import { runCycles } from "../src/testing/run-cycles.ts";

/** A subject whose one invariant is always violated for entity `a`, with a runbook the test can change. */
function subjectWith(runbook: { current: Runbook | undefined }): Subject<null> {
  const invariant: Invariant<null> = {
    name: "broken",
    description: "Always broken.",
    defaults: { enabled: true, severity: "warning", forMs: 0, clearMs: 0, thresholds: {} },
    get runbook() {
      return runbook.current as Runbook;
    },
    evaluate: () => [{ entity: "a", outcome: "violated", message: "broken", values: {} }],
  };
  return { name: "s", kind: "test", invariants: [invariant], observe: async () => null };
}

describe("runbook hints on tickets (memory store)", () => {
  it("the ticket opens with the invariant's runbook, and a changed or removed hint reaches it", async () => {
    const runbook: { current: Runbook | undefined } = {
      current: { hint: "Check the disk", url: "https://runbooks.example/disk" },
    };
    const subject = subjectWith(runbook);
    const { store, reports } = await runCycles({ subjects: subject, cycles: 1 });
    expect(reports[0]?.opened[0]?.runbook).toEqual({
      hint: "Check the disk",
      url: "https://runbooks.example/disk",
    });

    runbook.current = { hint: "Check the disk and the RAID controller" };
    await runCycles({ subjects: subject, cycles: 1, store });
    let [ticket] = (await store.listTickets()).tickets;
    expect(ticket?.runbook).toEqual({ hint: "Check the disk and the RAID controller" });
    expect(ticket?.occurrenceCount).toBe(2);

    runbook.current = undefined;
    await runCycles({ subjects: subject, cycles: 1, store });
    [ticket] = (await store.listTickets()).tickets;
    expect(ticket?.runbook).toBeNull();
  });

  it("an invariant without a runbook opens tickets with `runbook: null`", async () => {
    const { reports } = await runCycles({ subjects: subjectWith({ current: undefined }), cycles: 1 });
    expect(reports[0]?.opened[0]?.runbook).toBeNull();
  });
});

describe("checkSubject refuses a bad runbook, naming it", () => {
  const bad: [unknown, RegExp][] = [
    ["check the disk", /runbook must be an object/],
    [{ hint: "" }, /runbook\.hint must be one line of 1 to 500 characters/],
    [{ hint: "x".repeat(501) }, /runbook\.hint must be one line of 1 to 500/],
    [{ hint: "two\nlines" }, /runbook\.hint must be one line without control characters/],
    [{ hint: "ok", url: "javascript:alert(1)" }, /runbook\.url must be an http or https URL/],
    [{ hint: "ok", url: "not a url" }, /runbook\.url must be an http or https URL/],
  ];
  for (const [runbook, message] of bad) {
    it(`refuses ${JSON.stringify(runbook).slice(0, 40)}`, () => {
      const subject = subjectWith({ current: runbook as Runbook });
      expect(() => checkSubject(subject)).toThrow(message);
      expect(() => checkSubject(subject)).toThrow(/Subject "s", invariant "broken"/);
    });
  }

  it("accepts a hint with an https URL", () => {
    expect(() =>
      checkSubject(subjectWith({ current: { hint: "Check the disk", url: "https://x.example/a" } })),
    ).not.toThrow();
  });
});

describe("applyOverrides: a configuration can replace an invariant's runbook hint or URL", () => {
  const base = subjectWith({ current: { hint: "Check the disk" } }).invariants;

  it("keeps the plugin's hint and adds the team's URL, field by field", () => {
    const [invariant] = applyOverrides(
      base,
      { broken: { runbook: { url: "https://wiki.example/disk" } } },
      "s",
    );
    expect(invariant?.runbook).toEqual({ hint: "Check the disk", url: "https://wiki.example/disk" });
    const [replaced] = applyOverrides(base, { broken: { runbook: { hint: "Page the storage team" } } }, "s");
    expect(replaced?.runbook).toEqual({ hint: "Page the storage team" });
    const [untouched] = applyOverrides(base, { broken: { severity: "critical" } }, "s");
    expect(untouched?.runbook).toEqual({ hint: "Check the disk" });
  });

  it("refuses a bad override, naming where", () => {
    const bad = (runbook: unknown) => () =>
      applyOverrides(base, { broken: { runbook } } as unknown as InvariantOverrides, "s");
    expect(bad("see wiki")).toThrow(
      /^\[operator\] s\.invariants\.broken\.runbook must be an object with "hint" and\/or "url"$/,
    );
    expect(bad({ link: "x" })).toThrow(
      /s\.invariants\.broken\.runbook has no field "link" \(known: hint, url\)/,
    );
    expect(bad({ url: "file:///etc/passwd" })).toThrow(
      /s\.invariants\.broken: runbook\.url must be an http or https URL/,
    );
    const none = subjectWith({ current: undefined }).invariants;
    expect(() =>
      applyOverrides(none, { broken: { runbook: { url: "https://wiki.example/x" } } }, "s"),
    ).toThrow(/runbook\.hint must be one line/);
  });
});

describe("the monitor's own keys", () => {
  it("subject_unreachable says to run `operator check` and look at the path to the endpoint", async () => {
    const subject: Subject<null> = {
      ...subjectWith({ current: undefined }),
      observe: async () => {
        throw new Error("connect ECONNREFUSED 127.0.0.1:2379");
      },
    };
    const { reports } = await runCycles({ subjects: subject, cycles: 3, unreachableAfter: 3 });
    const opened = reports[2]?.opened[0];
    expect(opened?.key).toBe("s/subject_unreachable/subject");
    expect(opened?.runbook?.hint).toMatch(/^Run `operator check` on the daemon's host/);
  });
});
