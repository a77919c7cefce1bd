import { type Evaluation, isUnknownEvaluation, ObservationError, type ObserveContext } from "@operator/core";
import {
  createTestCertificates,
  type PrometheusHarness,
  type SimCluster,
  startCluster,
  startPrometheus,
  type TestCertificates,
} from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TikvOptions, tikvSubject } from "../src/index.ts";

/**
 * PD served over https requiring a client certificate (the simulator's `tls` option), with a real
 * Prometheus scraping the stores over http: without the right certificate every result is unknown
 * with a reason naming TLS, with it every check runs.
 */

let certs: TestCertificates;
let cluster: SimCluster;
let prometheus: PrometheusHarness;

beforeAll(async () => {
  certs = createTestCertificates();
  cluster = await startCluster({
    stores: 3,
    timeScale: 1,
    tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca },
  });
  prometheus = await startPrometheus({
    targets: cluster.scrapeTargets,
    pdTargets: cluster.pdScrapeTargets,
    scrapeIntervalMs: 1000,
  });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
  certs?.remove();
});

function subject(pd: TikvOptions["pd"]) {
  return tikvSubject({
    name: "secure",
    pdUrl: cluster.pdUrl,
    prometheusUrl: prometheus.url,
    rateWindow: "10s",
    leaderDropWindow: "10s",
    timeoutMs: 3000,
    // Windows a fresh Prometheus fills within the test (GC's default is hours).
    invariants: { gc_not_working: { thresholds: { windowMinutes: 0.25 } } },
    ...(pd ? { pd } : {}),
  });
}

function context(): ObserveContext {
  return { signal: AbortSignal.timeout(15_000), deadline: Date.now() + 15_000 };
}

async function evaluate(built: ReturnType<typeof subject>): Promise<Record<string, Evaluation>> {
  const observation = await built.observe(context());
  return Object.fromEntries(
    built.invariants
      .filter((invariant) => invariant.defaults.enabled)
      .map((invariant) => [invariant.name, invariant.evaluate(observation, invariant.defaults)]),
  );
}

async function refusal(pd: TikvOptions["pd"]): Promise<ObservationError> {
  const error = await subject(pd)
    .observe(context())
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(ObservationError);
  return error as ObservationError;
}

describe("PD over https with client certificates", () => {
  it("serves PD at an https:// URL", () => {
    expect(cluster.pdUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("with pd.tls every invariant runs, and finds the healthy cluster healthy", async () => {
    const built = subject({
      tls: { caFile: certs.caFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile },
    });
    let results: Record<string, Evaluation> = {};
    await expect
      .poll(
        async () => {
          results = await evaluate(built);
          return Object.entries(results)
            .filter(
              ([, evaluation]) =>
                isUnknownEvaluation(evaluation) || evaluation.some((entry) => entry.outcome === "unknown"),
            )
            .map(([name]) => name);
        },
        { timeout: 60_000, interval: 1000 },
      )
      .toEqual([]);
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(7);
    for (const [name, evaluation] of Object.entries(results)) {
      if (isUnknownEvaluation(evaluation)) throw new Error(`${name} unknown`);
      for (const entry of evaluation) expect(entry.outcome, `${name}/${entry.entity}`).toBe("ok");
    }
  }, 90_000);

  it("without a client certificate the subject is unknown, and the reason names TLS", async () => {
    const error = await refusal({ tls: { caFile: certs.caFile } });
    expect(error.reason).toBe("unreachable");
    expect(error.message).toMatch(
      /PD request could not connect: GET https:\/\/127\.0\.0\.1:\d+\/pd\/api\/v1\/.* \(TLS: /,
    );
  });

  it("with a certificate from another CA, or trusting another CA, the subject is unknown, naming TLS", async () => {
    const foreign = await refusal({
      tls: { caFile: certs.caFile, certFile: certs.otherClient.certFile, keyFile: certs.otherClient.keyFile },
    });
    expect(foreign.message).toMatch(/\(TLS: /);
    const untrusted = await refusal({
      tls: { caFile: certs.otherCaFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile },
    });
    expect(untrusted.message).toMatch(/\(TLS: the server's certificate .*set tls\.ca/);
    expect(untrusted.message).not.toContain("PRIVATE KEY");
  });

  it("refuses pd.tls for an http:// PD and prometheus.tls without prometheusUrl", () => {
    expect(() =>
      tikvSubject({ name: "x", pdUrl: "http://127.0.0.1:2379", pd: { tls: { caFile: certs.caFile } } }),
    ).toThrow("[operator] [tikv] Option `pd.tls` is set but `pdUrl` is not an https:// URL");
    expect(() =>
      tikvSubject({
        name: "x",
        pdUrl: "http://127.0.0.1:2379",
        prometheus: { tls: { caFile: certs.caFile } },
      }),
    ).toThrow("[operator] [tikv] Option `prometheus.tls` is set without `prometheusUrl`");
  });
});
