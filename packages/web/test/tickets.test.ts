import { describe, expect, it } from "vitest";
import {
  availableActions,
  compareTickets,
  DEFAULT_FILTERS,
  filtersFromQuery,
  filtersToQuery,
  matchesFilters,
  ticketsUrl,
  upsertTicket,
} from "../page/tickets.ts";
import { ticket } from "./fixtures.ts";

describe("list order", () => {
  it("puts unresolved tickets first, then critical before warning before info, then the latest seen", () => {
    const list = [
      ticket({ id: 1, severity: "info", lastSeenAt: "2026-01-02T03:00:00Z" }),
      ticket({ id: 2, severity: "critical", status: "resolved", lastSeenAt: "2026-01-02T05:00:00Z" }),
      ticket({ id: 3, severity: "warning", lastSeenAt: "2026-01-02T04:00:00Z" }),
      ticket({ id: 4, severity: "critical", lastSeenAt: "2026-01-02T01:00:00Z" }),
      ticket({ id: 5, severity: "critical", lastSeenAt: "2026-01-02T02:00:00Z" }),
    ];
    expect([...list].sort(compareTickets).map((t) => t.id)).toEqual([5, 4, 3, 1, 2]);
  });
});

describe("filters", () => {
  it("read from the page's query string, with bad values falling back to the default", () => {
    expect(filtersFromQuery("?status=all&severity=critical&held=yes&q=disk&subject=prod")).toEqual({
      ...DEFAULT_FILTERS,
      status: "all",
      severity: "critical",
      held: "yes",
      q: "disk",
      subject: "prod",
    });
    expect(filtersFromQuery("?status=bogus&severity=fatal&held=maybe")).toEqual(DEFAULT_FILTERS);
    expect(filtersFromQuery(`?q=${"x".repeat(500)}`).q).toHaveLength(200);
  });

  it("round-trip through the query string, leaving defaults out", () => {
    const filters = {
      ...DEFAULT_FILTERS,
      status: "resolved" as const,
      invariant: "low_disk_space",
      q: "a b&c",
    };
    expect(filtersFromQuery(filtersToQuery(filters))).toEqual(filters);
    expect(filtersToQuery(DEFAULT_FILTERS)).toBe("");
  });

  it("become the API's query: unresolved by default, held and silenced as booleans", () => {
    const url = new URL(ticketsUrl(DEFAULT_FILTERS, null), "http://x");
    expect(url.pathname).toBe("/api/v1/tickets");
    expect(Object.fromEntries(url.searchParams)).toEqual({ status: "unresolved", limit: "100" });
    const all = new URL(
      ticketsUrl({ ...DEFAULT_FILTERS, status: "all", held: "no", silenced: "yes", q: "  Disk " }, "c:9", 5),
      "http://x",
    );
    expect(Object.fromEntries(all.searchParams)).toEqual({
      status: "all",
      held: "false",
      silenced: "true",
      q: "Disk",
      limit: "5",
      cursor: "c:9",
    });
  });

  it("match a ticket the way the server filters (for live updates)", () => {
    const open = ticket({ message: "Disk almost FULL", key: "prod/low_disk_space/1" });
    expect(matchesFilters(open, DEFAULT_FILTERS)).toBe(true);
    expect(matchesFilters(ticket({ status: "resolved" }), DEFAULT_FILTERS)).toBe(false);
    expect(matchesFilters(ticket({ status: "resolved" }), { ...DEFAULT_FILTERS, status: "all" })).toBe(true);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, status: "acknowledged" })).toBe(false);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, q: "full" })).toBe(true);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, q: "LOW_DISK" })).toBe(true);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, q: "latency" })).toBe(false);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, held: "yes" })).toBe(false);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, silenced: "no" })).toBe(true);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, severity: "warning" })).toBe(false);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, subject: "staging" })).toBe(false);
    expect(matchesFilters(open, { ...DEFAULT_FILTERS, invariant: "high_latency" })).toBe(false);
  });
});

describe("live updates", () => {
  it("replace a ticket in place, add a new one in order, and drop one that no longer matches", () => {
    const list = [ticket({ id: 1, severity: "warning" }), ticket({ id: 2, severity: "info" })];
    const added = upsertTicket(list, ticket({ id: 3, severity: "critical" }), DEFAULT_FILTERS);
    expect(added.map((t) => t.id)).toEqual([3, 1, 2]);
    const changed = upsertTicket(added, ticket({ id: 1, severity: "warning", held: true }), DEFAULT_FILTERS);
    expect(changed.map((t) => [t.id, t.held])).toEqual([
      [3, false],
      [1, true],
      [2, false],
    ]);
    const resolved = upsertTicket(changed, ticket({ id: 3, status: "resolved" }), DEFAULT_FILTERS);
    expect(resolved.map((t) => t.id)).toEqual([1, 2]);
  });
});

describe("actions", () => {
  it("offer ack only while open, hold or unhold by the flag, and nothing once resolved", () => {
    expect(availableActions(ticket())).toEqual(["ack", "diagnose", "resolve", "hold"]);
    expect(availableActions(ticket({ status: "acknowledged", held: true }))).toEqual([
      "diagnose",
      "resolve",
      "unhold",
    ]);
    expect(availableActions(ticket({ status: "resolved" }))).toEqual([]);
  });
});
