import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isOperatorError, TransitionError } from "../src/errors.ts";
import { TICKET_STATUSES, type Ticket, type TicketStatus } from "../src/ticket.ts";
import {
  canTransition,
  checkMonitorPatch,
  planAction,
  type TicketAction,
  TRANSITIONS,
} from "../src/transitions.ts";

const ticket = (status: TicketStatus, held = false): Ticket => ({
  id: 7,
  key: "db/inv/1",
  subject: "db",
  invariant: "inv",
  entity: "1",
  severity: "warning",
  status,
  held,
  flapping: false,
  silenced: false,
  message: "broken",
  firstSeenAt: 0,
  lastSeenAt: 0,
  occurrenceCount: 1,
  batchKey: "b",
  previousTicketId: null,
  firstValues: {},
  lastValues: {},
  runbook: null,
  diagnosis: null,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  createdAt: 0,
  updatedAt: 0,
});

const action = fc.constantFrom<TicketAction>(
  { type: "acknowledge", actor: "alice" },
  { type: "diagnose", actor: "bob", diagnosis: "disk full" },
  { type: "resolve", actor: "carol", comment: "replaced disk" },
  { type: "hold", actor: "alice" },
  { type: "unhold", actor: "alice" },
);
const rank = (status: TicketStatus) => TICKET_STATUSES.indexOf(status);

describe("rule 7: people outrank automation", () => {
  it("the table moves forward only and nothing leaves resolved", () => {
    for (const from of TICKET_STATUSES) {
      for (const to of TRANSITIONS[from]) expect(rank(to)).toBeGreaterThanOrEqual(rank(from));
      expect(canTransition(from, "resolved")).toBe(from !== "resolved");
    }
    expect(TRANSITIONS.resolved).toEqual([]);
  });

  it("random action sequences never move a ticket backwards or out of resolved", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 20 }), (actions) => {
        let current = ticket("open");
        for (const [i, a] of actions.entries()) {
          try {
            const change = planAction(current, a, i);
            const next = { ...current, ...change.patch };
            expect(rank(next.status)).toBeGreaterThanOrEqual(rank(current.status));
            expect(current.status === "resolved").toBe(false);
            expect(change.events).toHaveLength(1);
            current = next;
          } catch (error) {
            expect(error).toBeInstanceOf(TransitionError);
          }
        }
      }),
    );
  });

  it("a refused move names both states", () => {
    expect(() => planAction(ticket("resolved"), { type: "acknowledge", actor: "alice" }, 1)).toThrow(
      "[operator] Ticket 7 cannot move from resolved to acknowledged",
    );
    expect(() => planAction(ticket("diagnosed"), { type: "acknowledge", actor: "alice" }, 1)).toThrow(
      /from diagnosed to acknowledged/,
    );
  });

  it("a manual resolve clears hold and records who resolved it", () => {
    const change = planAction(
      ticket("acknowledged", true),
      { type: "resolve", actor: "carol", comment: "done" },
      5,
    );
    expect(change.patch).toMatchObject({
      status: "resolved",
      held: false,
      resolvedAt: 5,
      resolvedBy: "carol",
    });
    expect(change.events[0]).toMatchObject({
      kind: "resolved",
      actor: "carol",
      from: "acknowledged",
      to: "resolved",
      comment: "done",
    });
  });

  it("hold is a flag beside the status; holding twice or holding a resolved ticket is refused", () => {
    const held = planAction(ticket("diagnosed"), { type: "hold", actor: "alice" }, 1);
    expect(held.patch).toEqual({ held: true, updatedAt: 1 });
    expect(() => planAction(ticket("open", true), { type: "hold", actor: "alice" }, 1)).toThrow(
      /already held/,
    );
    expect(() => planAction(ticket("resolved"), { type: "unhold", actor: "alice" }, 1)).toThrow(
      /is resolved/,
    );
  });

  it("diagnose needs text, sets the acknowledgement if missing, and an action needs an actor", () => {
    expect(() => planAction(ticket("open"), { type: "diagnose", actor: "bob", diagnosis: " " }, 1)).toThrow(
      /needs text/,
    );
    const change = planAction(ticket("open"), { type: "diagnose", actor: "bob", diagnosis: "disk" }, 3);
    expect(change.patch).toMatchObject({
      status: "diagnosed",
      diagnosis: "disk",
      acknowledgedAt: 3,
      acknowledgedBy: "bob",
    });
    const error = (() => {
      try {
        planAction(ticket("open"), { type: "acknowledge", actor: "" }, 1);
      } catch (e) {
        return e;
      }
    })();
    expect(isOperatorError(error)).toBe(true);
    expect(() => planAction(ticket("open"), { type: "reopen", actor: "x" } as never, 1)).toThrow(
      /unknown action "reopen"/,
    );
  });
});

describe("a cycle's change checked against the stored ticket", () => {
  it("resolves an unheld ticket, filling the time and the monitor as resolver", () => {
    expect(checkMonitorPatch(ticket("acknowledged"), { status: "resolved", updatedAt: 7 }, 9)).toEqual({
      status: "resolved",
      updatedAt: 7,
      resolvedAt: 7,
      resolvedBy: "monitor",
    });
    expect(checkMonitorPatch(ticket("open"), { lastSeenAt: 5 }, 9)).toEqual({ lastSeenAt: 5 });
  });

  it("refuses to change a resolved ticket, to resolve a held one, or to move a status back", () => {
    expect(() => checkMonitorPatch(ticket("resolved"), { lastSeenAt: 5 }, 9)).toThrow(/is resolved/);
    expect(() => checkMonitorPatch(ticket("open", true), { status: "resolved" }, 9)).toThrow(/is held/);
    expect(() => checkMonitorPatch(ticket("diagnosed"), { status: "acknowledged" }, 9)).toThrow(
      TransitionError,
    );
    // A patch that releases the hold in the same change may resolve.
    expect(checkMonitorPatch(ticket("open", true), { status: "resolved", held: false }, 9).resolvedAt).toBe(
      9,
    );
  });
});
