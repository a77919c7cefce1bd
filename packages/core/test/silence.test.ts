import { describe, expect, it } from "vitest";
import {
  formatSilenceMatcher,
  InvalidSilenceError,
  isSilenceActive,
  parseSilenceMatcher,
  type Silence,
  silenceMatches,
} from "../src/index.ts";

const TICKET = {
  subject: "prod-east",
  invariant: "store_down",
  entity: "store-12",
  severity: "critical" as const,
};

function silence(overrides: Partial<Silence> = {}): Silence {
  return {
    id: 1,
    matchers: [{ name: "subject", value: "prod-east", regex: false }],
    startsAt: 100,
    endsAt: 200,
    createdBy: "alice",
    comment: "upgrade",
    createdAt: 50,
    expiredAt: null,
    expiredBy: null,
    ...overrides,
  };
}

describe("silence matchers", () => {
  it("parses exact and regex matchers and prints them back", () => {
    expect(parseSilenceMatcher("subject=prod-east")).toEqual({
      name: "subject",
      value: "prod-east",
      regex: false,
    });
    expect(parseSilenceMatcher("entity=~store-1.*")).toEqual({
      name: "entity",
      value: "store-1.*",
      regex: true,
    });
    expect(parseSilenceMatcher("invariant=a=b")).toEqual({ name: "invariant", value: "a=b", regex: false });
    expect(formatSilenceMatcher(parseSilenceMatcher("entity=~store-1.*"))).toBe("entity=~store-1.*");
  });

  it("refuses a bad matcher with a message naming what is wrong", () => {
    const cases: [string, string][] = [
      ["subject", "is not NAME=VALUE or NAME=~REGEX"],
      ["=x", "is not NAME=VALUE or NAME=~REGEX"],
      ["region=eu", 'Unknown matcher name "region": use one of subject, invariant, entity, severity'],
      ["subject=", "Matcher on subject has an empty value"],
      ["entity=~(store", "Matcher on entity is not a valid regular expression"],
      [`subject=${"x".repeat(1001)}`, "longer than 1000 characters"],
    ];
    for (const [text, message] of cases) {
      let error: unknown;
      try {
        parseSilenceMatcher(text);
      } catch (caught) {
        error = caught;
      }
      expect(error, text).toBeInstanceOf(InvalidSilenceError);
      expect((error as Error).message, text).toContain(message);
      expect((error as InvalidSilenceError).category).toBe("usage");
    }
  });

  it("regex matchers are anchored at both ends, exact matchers compare whole values", () => {
    const on = (text: string) => silenceMatches({ matchers: [parseSilenceMatcher(text)] }, TICKET);
    expect(on("entity=~store-1")).toBe(false);
    expect(on("entity=~store-1.")).toBe(true);
    expect(on("entity=~tore-12")).toBe(false);
    expect(on("entity=~a|store-12")).toBe(true);
    expect(on("entity=store-1")).toBe(false);
    expect(on("severity=critical")).toBe(true);
    expect(on("severity=warning")).toBe(false);
  });

  it("every matcher must match", () => {
    const both = [parseSilenceMatcher("subject=prod-east"), parseSilenceMatcher("invariant=region_health")];
    expect(silenceMatches({ matchers: both }, TICKET)).toBe(false);
    expect(silenceMatches({ matchers: both.slice(0, 1) }, TICKET)).toBe(true);
  });

  it("a silence is active from its start until its end or expiry", () => {
    expect(isSilenceActive(silence(), 99)).toBe(false);
    expect(isSilenceActive(silence(), 100)).toBe(true);
    expect(isSilenceActive(silence(), 199)).toBe(true);
    expect(isSilenceActive(silence(), 200)).toBe(false);
    expect(isSilenceActive(silence({ expiredAt: 150, expiredBy: "bob" }), 149)).toBe(true);
    expect(isSilenceActive(silence({ expiredAt: 150, expiredBy: "bob" }), 150)).toBe(false);
  });
});
