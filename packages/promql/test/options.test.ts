import { ConfigError } from "@operator/core";
import { describe, expect, it } from "vitest";
import promql, * as api from "../src/index.ts";

const base = {
  name: "p",
  prometheusUrl: "http://127.0.0.1:9090",
  rules: [{ name: "down", expr: "up == 0" }],
};

function configError(options: unknown): string {
  try {
    promql(options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("options", () => {
  it.each([
    [{ ...base, prometheusUrl: undefined }, /Missing required option `prometheusUrl`/],
    [{ ...base, rules: [] }, /Invalid option `rules`: expected at least one rule/],
    [{ ...base, rules: [{ name: "a b", expr: "up" }] }, /Option `rules\[0\]\.name`: Invalid invariant name/],
    [
      {
        ...base,
        rules: [
          { name: "a", expr: "up" },
          { name: "a", expr: "up" },
        ],
      },
      /names "a" twice/,
    ],
    [{ ...base, rules: [{ name: "a", expr: " " }] }, /Invalid option `rules\[0\]\.expr`/],
    [
      { ...base, rules: [{ name: "a", expr: "up", for: "soon" }] },
      /Option `rules\[0\]\.for`: Invalid rules\[0\]\.for/,
    ],
    [
      { ...base, rules: [{ name: "a", expr: "up", severity: "page" }] },
      /`rules\[0\]\.severity`: expected critical, warning or info/,
    ],
    [
      { ...base, rules: [{ name: "a", expr: "up", labels: {} }] },
      /Option `rules\[0\]` has no setting `labels`/,
    ],
    [{ ...base, prometheusUrl: "http://u:secret@prom:9090" }, /must not contain credentials/],
    [
      { ...base, prometheus: { tls: { caFile: "/nonexistent" } } },
      /Option `prometheus\.tls\.caFile`: cannot read/,
    ],
    [{ ...base, invariants: { nope: { for: "1m" } } }, /has no invariant "nope"/],
  ])("refuses %j with one message naming the option", (options, message) => {
    const text = configError(options);
    expect(text).toMatch(message);
    expect(text).not.toContain("secret");
  });

  it("builds one invariant per rule with its severity, grace period and runbook", () => {
    const subject = promql({
      ...base,
      rules: [
        { name: "disk", expr: "x < 0.1", for: "2m", severity: "critical", runbook: { hint: "Free space" } },
      ],
    });
    expect(subject.kind).toBe("promql");
    expect(subject.invariants[0]).toMatchObject({
      name: "disk",
      description: "No series matches `x < 0.1`",
      defaults: { enabled: true, severity: "critical", forMs: 120_000, clearMs: 0, thresholds: {} },
      runbook: { hint: "Free space" },
    });
  });

  it("keeps a bearer token out of the subject's JSON form", () => {
    const subject = promql({ ...base, prometheus: { bearerToken: "tok-123456789" } });
    expect(JSON.stringify(subject)).not.toContain("tok-123456789");
  });
});

it("exposes exactly the factory (also as default) and its kind", () => {
  expect(Object.keys(api).sort()).toEqual(["SUBJECT_KIND", "default", "promqlSubject"]);
  expect(api.default).toBe(api.promqlSubject);
});
