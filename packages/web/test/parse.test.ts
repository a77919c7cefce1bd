import { describe, expect, it } from "vitest";
import {
  MAX_TEXT,
  parseFeedItem,
  parseStatus,
  parseTicket,
  parseTicketDetail,
  parseTicketPage,
} from "../page/parse.ts";
import { tokenProblem } from "../page/token-check.ts";
import { ticket } from "./fixtures.ts";

describe("parsing what the server sent", () => {
  it("keeps a well-formed ticket as it is", () => {
    expect(parseTicket(ticket())).toEqual(ticket());
  });

  it("drops tickets with a missing or wrong field instead of showing them half-read", () => {
    expect(parseTicket({ ...ticket(), id: "1" })).toBeNull();
    expect(parseTicket({ ...ticket(), severity: "fatal" })).toBeNull();
    expect(parseTicket({ ...ticket(), status: "closed" })).toBeNull();
    expect(parseTicket({ ...ticket(), lastSeenAt: "yesterday" })).toBeNull();
    expect(parseTicket({ ...ticket(), key: 4 })).toBeNull();
    expect(parseTicket(null)).toBeNull();
    const page = parseTicketPage({ tickets: [ticket({ id: 1 }), { id: 2 }, ticket({ id: 3 })], next: "n" });
    expect(page?.tickets.map((t) => t.id)).toEqual([1, 3]);
    expect(page?.next).toBe("n");
  });

  it("caps huge text and keeps only http(s) runbook links", () => {
    const long = parseTicket({ ...ticket(), message: "m".repeat(MAX_TEXT * 3) });
    expect(long?.message.length).toBe(MAX_TEXT + 1);
    expect(
      parseTicket({ ...ticket(), runbook: { hint: "Check disk", url: "javascript:alert(1)" } })?.runbook,
    ).toEqual({ hint: "Check disk" });
    expect(
      parseTicket({ ...ticket(), runbook: { hint: "h", url: "https://example.org/rb" } })?.runbook,
    ).toEqual({
      hint: "h",
      url: "https://example.org/rb",
    });
  });

  it("reads a ticket's history, dropping malformed events", () => {
    const detail = parseTicketDetail({
      ...ticket(),
      firstValues: { p99: 1.5 },
      lastValues: "nope",
      events: [
        {
          id: 1,
          at: "2026-01-02T03:04:05Z",
          actor: "monitor",
          kind: "opened",
          from: null,
          to: "open",
          comment: null,
        },
        { id: "x" },
      ],
    });
    expect(detail?.events.map((e) => e.kind)).toEqual(["opened"]);
    expect(detail?.firstValues).toEqual({ p99: 1.5 });
    expect(detail?.lastValues).toEqual({});
  });

  it("reads the status and the feed items", () => {
    const status = parseStatus({
      subjects: [
        {
          name: "prod",
          kind: "tikv",
          lastCycleAt: 5,
          nextCycleAt: null,
          unknown: [{ key: "k", reason: "r" }, 3],
        },
      ],
      counts: { byStatus: { open: 2, bogus: "x" }, bySeverity: { critical: 1 } },
      generatedAt: 9,
    });
    expect(status).toEqual({
      subjects: [
        {
          name: "prod",
          kind: "tikv",
          lastCycleAt: 5,
          nextCycleAt: null,
          unknown: [{ key: "k", reason: "r" }],
        },
      ],
      counts: { byStatus: { open: 2 }, bySeverity: { critical: 1 } },
      generatedAt: 9,
    });
    const event = {
      id: 4,
      at: "2026-01-02T03:04:05Z",
      actor: "ann",
      kind: "held",
      from: null,
      to: null,
      comment: "c",
    };
    expect(parseFeedItem({ event, ticket: ticket() })).toEqual({ event, ticket: ticket() });
    expect(parseFeedItem({ event, ticket: {} })).toBeNull();
  });
});

describe("tokenProblem", () => {
  it("accepts a visible-ASCII token and names what is wrong with others", () => {
    expect(tokenProblem("s3cr3t-T0ken")).toBeNull();
    expect(tokenProblem("")).toMatch(/Enter the token/);
    expect(tokenProblem("has space")).toMatch(/visible ASCII/);
    expect(tokenProblem("naïve")).toMatch(/visible ASCII/);
    expect(tokenProblem("x".repeat(1001))).toMatch(/at most 1000/);
  });
});
