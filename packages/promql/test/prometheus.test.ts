import {
  createMemoryTicketStore,
  createMonitor,
  isUnknownEvaluation,
  ObservationError,
  type ObserveContext,
} from "@operator/core";
import { testSubject } from "@operator/core/testing";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import promql, { type PromqlObservation, type PromqlRule } from "../src/index.ts";

/** The plugin against a real Prometheus (Debian's) scraping a simulated TiKV cluster. */

let cluster: SimCluster;
let prometheus: PrometheusHarness;

beforeAll(async () => {
  cluster = await startCluster({ stores: 3, timeScale: 1 });
  prometheus = await startPrometheus({ targets: cluster.scrapeTargets, scrapeIntervalMs: 1000 });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
});

function context(): ObserveContext {
  return { signal: AbortSignal.timeout(10_000), deadline: Date.now() + 10_000 };
}

function subject(rules: PromqlRule[]) {
  return promql({ name: "sim", prometheusUrl: prometheus.url, rules });
}

async function evaluate(rules: PromqlRule[]) {
  const built = subject(rules);
  const observation = await built.observe(context());
  return Object.fromEntries(built.invariants.map((i) => [i.name, i.evaluate(observation, i.defaults)]));
}

const instance = (id: number) => cluster.stores.find((store) => store.id === id)?.statusAddress as string;

describe("rules against a real Prometheus", () => {
  it("each series is a violation keyed by its labels, with the message filled in; no series is ok", async () => {
    const results = await evaluate([
      {
        name: "targets_up",
        expr: 'up{job!=""} == 1',
        message: "{{ $labels.instance }} is up ({{ $value }})",
      },
      { name: "targets_down", expr: "up == 0" },
    ]);
    const up = results.targets_up;
    if (!up || isUnknownEvaluation(up)) throw new Error(`targets_up: ${JSON.stringify(up)}`);
    expect(up).toHaveLength(3);
    const first = up.find((result) => result.entity.includes(`instance="${instance(1)}"`));
    expect(first).toMatchObject({
      outcome: "violated",
      message: `${instance(1)} is up (1)`,
      values: { value: 1 },
    });
    expect(first?.entity).toMatch(/^\{instance="[^"]+",job="[^"]+"\}$/);
    expect(results.targets_down).toEqual([]);
  });

  it("a stopped store's target shows up in `up == 0`", async () => {
    cluster.stopStore(2);
    try {
      await expect
        .poll(
          async () =>
            JSON.stringify((await evaluate([{ name: "targets_down", expr: "up == 0" }])).targets_down),
          {
            timeout: 30_000,
            interval: 500,
          },
        )
        .toContain(`instance=\\"${instance(2)}\\"`);
    } finally {
      cluster.startStore(2);
    }
  });

  it("a query Prometheus refuses is unknown for that rule alone, naming the error", async () => {
    const results = await evaluate([
      { name: "broken", expr: "sum(" },
      { name: "fine", expr: "up == 2" },
    ]);
    expect(results.broken).toEqual({
      unknown: expect.stringMatching(/Prometheus request failed with status 400.*bad_data/),
    });
    expect(results.fine).toEqual([]);
  });

  it("noData: unknown makes an empty answer unknown; NaN and Inf values stay readable", async () => {
    const results = await evaluate([
      { name: "absent", expr: "no_such_metric_anywhere", noData: "unknown" },
      { name: "infinite", expr: "vector(1) / 0", message: "value {{ $value }}" },
    ]);
    expect(results.absent).toEqual({ unknown: "no series for `no_such_metric_anywhere` (noData: unknown)" });
    expect(results.infinite).toEqual([
      { entity: "{}", outcome: "violated", message: "value +Inf", values: { value: "Infinity", labels: {} } },
    ]);
  });

  it("an unreachable Prometheus makes observe throw: the subject is unknown, never all clear", async () => {
    const dead = promql({
      name: "dead",
      prometheusUrl: "http://127.0.0.1:1",
      retries: 0,
      rules: [{ name: "targets_down", expr: "up == 0" }],
    });
    const error = await dead.observe(context()).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ObservationError);
    expect((error as ObservationError).message).toMatch(
      /^\[operator\] \[promql\] Prometheus request could not connect/,
    );
  });

  it("in a monitor, a rule's series opens a ticket keyed by its labels, and the invariant carries the runbook", async () => {
    const built = subject([
      {
        name: "always",
        expr: "vector(1) * on() group_left() max(up)",
        severity: "info",
        runbook: "Nothing to do: a test rule",
      },
    ]);
    expect(built.invariants[0]?.runbook).toEqual({ hint: "Nothing to do: a test rule" });
    const store = createMemoryTicketStore();
    const monitor = createMonitor({ subjects: [built], store, intervalMs: 1000 });
    const report = await monitor.runOnce();
    expect(report.opened.map((ticket) => ticket.key)).toEqual(["sim/always/{}"]);
  });
});

testSubject<PromqlObservation>({
  name: "promql (real Prometheus)",
  create: () =>
    subject([
      { name: "targets_down", expr: "up == 0" },
      { name: "scrapes", expr: "up == 1" },
    ]),
  unreachable: () =>
    promql({
      name: "conformance",
      prometheusUrl: "http://127.0.0.1:1",
      retries: 0,
      rules: [{ name: "x", expr: "up" }],
    }),
});
