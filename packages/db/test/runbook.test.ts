import type { Invariant, Runbook, Subject } from "@operator/core";
import { manualClock, runCycles } from "@operator/core/testing";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { tempDbPath } from "./helpers/temp.ts";

/** A subject whose invariant is violated for entity `a`, with a runbook the test changes between cycles. */
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

describe("runbook hints in the SQLite store", () => {
  it("stores the hint on the ticket, refreshes it on an occurrence, and keeps it across a reopen", async () => {
    const path = tempDbPath();
    const clock = manualClock();
    const runbook: { current: Runbook | undefined } = {
      current: { hint: "Check the disk", url: "https://runbooks.example/disk" },
    };
    const subject = subjectWith(runbook);
    let store = openTicketStore(path, { now: clock.now });
    const { reports } = await runCycles({ subjects: subject, cycles: 2, store, clock });
    expect(reports[0]?.opened[0]?.runbook).toEqual({
      hint: "Check the disk",
      url: "https://runbooks.example/disk",
    });
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT runbook FROM tickets").all()).toEqual([
      { runbook: '{"hint":"Check the disk","url":"https://runbooks.example/disk"}' },
    ]);
    raw.close();

    runbook.current = { hint: "Check the disk and its controller" };
    clock.advance(30_000);
    await runCycles({ subjects: subject, cycles: 1, store, clock });
    store.close();
    store = openTicketStore(path, { now: clock.now });
    let [ticket] = (await store.listTickets()).tickets;
    expect(ticket?.runbook).toEqual({ hint: "Check the disk and its controller" });
    expect(ticket?.occurrenceCount).toBe(3);
    expect((await store.getTicket(ticket?.id ?? 0)).ticket.runbook).toEqual({
      hint: "Check the disk and its controller",
    });

    runbook.current = undefined;
    clock.advance(30_000);
    await runCycles({ subjects: subject, cycles: 1, store, clock });
    [ticket] = (await store.listTickets()).tickets;
    expect(ticket?.runbook).toBeNull();
    store.close();
  });

  it("an invariant without a runbook leaves the column NULL", async () => {
    const path = tempDbPath();
    const clock = manualClock();
    const store = openTicketStore(path, { now: clock.now });
    await runCycles({ subjects: subjectWith({ current: undefined }), cycles: 1, store, clock });
    expect((await store.listTickets()).tickets[0]?.runbook).toBeNull();
    store.close();
    const raw = new Database(path, { readonly: true });
    expect(raw.prepare("SELECT runbook FROM tickets").all()).toEqual([{ runbook: null }]);
    raw.close();
  });
});
