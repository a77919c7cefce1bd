import { describe, expect, it } from "vitest";
import type { MetricReading } from "../src/observation.ts";
import { observedSources } from "../src/sources.ts";
import { observation, reading } from "./helpers/observations.ts";

/** Issue 13, item 1: each secondary source says whether it answered, in one line. */

const failed = (message: string, reason: "unreachable" | "aborted" = "unreachable"): MetricReading => ({
  query: "up",
  error: { reason, message },
});

describe("observedSources", () => {
  it("reports Prometheus and the region checks as answered", () => {
    const sources = observedSources(
      observation({
        metrics: { grpcP99: reading("q", { "10.0.1.1:20180": 0.01 }), writeStall: reading("q", {}) },
      }),
    );
    expect(sources).toEqual({ prometheus: null, pd_region_checks: null });
  });

  it("leaves Prometheus out when no query ran (none configured)", () => {
    expect(observedSources(observation())).toEqual({ pd_region_checks: null });
  });

  it("names the failure in one line, without the package prefix", () => {
    const message =
      "[operator] [tikv] Prometheus request could not connect: GET http://127.0.0.1:9/api/v1/query (ECONNREFUSED)";
    const sources = observedSources(
      observation({ metrics: { grpcP99: failed(message), storeSize: failed(message) } }),
    );
    expect(sources.prometheus).toBe(
      "Prometheus request could not connect: GET http://127.0.0.1:9/api/v1/query (ECONNREFUSED)",
    );
  });

  it("counts one failed query of several, and says how many", () => {
    const sources = observedSources(
      observation({
        metrics: { grpcP99: reading("q", {}), storeSize: failed("[operator] [tikv] bad\nanswer") },
      }),
    );
    expect(sources.prometheus).toBe("1 of 2 queries failed: bad answer");
  });

  it("leaves out a source whose reads were cancelled at shutdown", () => {
    const sources = observedSources(observation({ metrics: { grpcP99: failed("cancelled", "aborted") } }));
    expect(sources).toEqual({ pd_region_checks: null });
  });

  it("reports failed region checks", () => {
    const sources = observedSources(
      observation({
        regions: { error: { reason: "server_error", message: "[operator] [tikv] PD request failed" } },
      }),
    );
    expect(sources.pd_region_checks).toBe("PD request failed");
  });
});
