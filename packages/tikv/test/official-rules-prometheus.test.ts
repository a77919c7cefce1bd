import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Evaluation, isUnknownEvaluation, type ObserveContext } from "@operator/core";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TikvSubject, tikvSubject } from "../src/index.ts";

/**
 * Every official-rule invariant against a simulated cluster scraped by a real Prometheus, on one
 * shared cluster: each fault hits its own store, so all of them are injected at once and one
 * polling loop waits until the subject sees every one on the right store and nowhere else.
 * Windows are shortened through thresholds so a test does not wait for them.
 */

let cluster: SimCluster;
let prometheus: PrometheusHarness;
let subject: TikvSubject;
let rulesDir: string;

/** The official TiKV_critical_error rule, verbatim, to show what it misses. */
const OFFICIAL = `groups:
  - name: official
    rules:
      - alert: TiKV_critical_error
        expr: sum(rate(tikv_critical_error_total[1m])) BY (type, instance) > 0
`;

beforeAll(async () => {
  cluster = await startCluster({ stores: 6, timeScale: 20, seed: 3 });
  rulesDir = mkdtempSync(join(tmpdir(), "tikv-official-"));
  writeFileSync(join(rulesDir, "tikv.rules.yml"), OFFICIAL);
  prometheus = await startPrometheus({
    targets: cluster.scrapeTargets,
    pdTargets: cluster.pdScrapeTargets,
    ruleFiles: [join(rulesDir, "tikv.rules.yml")],
    scrapeIntervalMs: 1000,
  });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
  const window = { windowMinutes: 1 };
  subject = tikvSubject({
    name: "sim",
    pdUrl: cluster.pdUrl,
    prometheusUrl: prometheus.url,
    rateWindow: "10s",
    invariants: {
      critical_error: { thresholds: window },
      channel_full: { thresholds: window },
      memory_growth: { thresholds: window },
      report_failure: { thresholds: window },
      store_restart: { enabled: true, thresholds: window },
      gc_not_working: { thresholds: { windowMinutes: 0.25 } },
    },
  });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
  if (rulesDir) rmSync(rulesDir, { recursive: true, force: true });
});

type Results = Record<string, Evaluation>;

async function evaluate(): Promise<Results> {
  const context: ObserveContext = { signal: AbortSignal.timeout(15_000), deadline: Date.now() + 15_000 };
  const observation = await subject.observe(context);
  return Object.fromEntries(
    subject.invariants
      .filter((invariant) => invariant.defaults.enabled)
      .map((invariant) => [invariant.name, invariant.evaluate(observation, invariant.defaults)]),
  );
}

/** Entities each invariant finds violated. */
function violated(results: Results): Record<string, string[]> {
  return Object.fromEntries(
    Object.entries(results).map(([name, evaluation]) => [
      name,
      isUnknownEvaluation(evaluation)
        ? [`unknown: ${evaluation.unknown}`]
        : evaluation
            .filter((r) => r.outcome !== "ok")
            .map((r) => (r.outcome === "violated" ? r.entity : `${r.entity}?`)),
    ]),
  );
}

async function until(
  done: (found: Record<string, string[]>) => boolean,
  timeoutMs = 90_000,
  describe: () => unknown = () => undefined,
) {
  const stop = Date.now() + timeoutMs;
  let last: Record<string, string[]> = {};
  let results: Results = {};
  while (Date.now() < stop) {
    results = await evaluate();
    last = violated(results);
    if (done(last)) return results;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(
    `not seen within ${timeoutMs} ms; last: ${JSON.stringify(last)}; seen: ${JSON.stringify(describe())}`,
  );
}

const EXPECTED: Record<string, string[]> = {
  critical_error: ["1"],
  channel_full: ["1"],
  memory_quota: ["2"],
  memory_growth: ["2"],
  cpu_quota: ["3"],
  worker_pending_tasks: ["3"],
  store_restart: ["3"],
  raft_log_lag: ["4"],
  scheduler_pending: ["4"],
  coprocessor_pending: ["4"],
  approximate_region_size: ["4"],
  async_write_latency: ["5"],
  async_snapshot_latency: ["5"],
  raft_append_latency: ["5"],
  raft_apply_latency: ["5"],
  raft_ready_latency: ["5"],
  raft_tick_latency: ["5"],
  scheduler_command_latency: ["5"],
  scheduler_latch_wait: ["5"],
  coprocessor_wait: ["5"],
  l0_files: ["6"],
  write_stall: ["6"],
  report_failure: ["6"],
  gc_not_working: ["cluster"],
};

describe("the official-rule invariants against a real Prometheus", { timeout: 240_000 }, () => {
  it("a healthy cluster: nothing violated, nothing unknown", async () => {
    await until((found) => Object.values(found).every((entities) => entities.length === 0));
  });

  it("every fault is seen on its own store and nowhere else, then clears", async () => {
    const apply = (command: Parameters<SimCluster["apply"]>[0]) => cluster.apply(command);
    await apply({ fault: "critical-error", store: 1, count: 1 });
    await apply({ fault: "channel-full", store: 1, on: true });
    await apply({ fault: "memory", store: 2, residentGiB: 14.5 });
    cluster.stopStore(3);
    cluster.startStore(3);
    await apply({ fault: "process-cpu", store: 3, cores: 7.5 });
    await apply({ fault: "pending", store: 3, queue: "worker", count: 1800 });
    await apply({ fault: "log-lag", store: 4, entries: 9000 });
    await apply({ fault: "pending", store: 4, queue: "scheduler", count: 2400 });
    await apply({ fault: "pending", store: 4, queue: "coprocessor", count: 6000 });
    await apply({ fault: "region-size", store: 4, mib: 1536 });
    for (const [stage, seconds] of [
      ["async-write", 1.6],
      ["async-snapshot", 1.5],
      ["append", 1.5],
      ["apply", 1.5],
      ["ready", 3],
      ["tick", 3],
      ["scheduler-command", 1.5],
      ["latch-wait", 1.5],
      ["coprocessor-wait", 15],
    ] as const) {
      await apply({ fault: "slow-stage", store: 5, stage, seconds });
    }
    cluster.writeStall(6, true);
    await apply({ fault: "unreachable", store: 6, perSecond: 20 });
    await apply({ fault: "gc-stuck", on: true });

    const seen: Record<string, string[]> = {};
    const results = await until(
      (found) => {
        for (const [name, entities] of Object.entries(found)) {
          if (entities.length > 0) seen[name] = entities;
        }
        return Object.keys(EXPECTED).every(
          (name) => JSON.stringify(seen[name]) === JSON.stringify(EXPECTED[name]),
        );
      },
      150_000,
      () => seen,
    );
    for (const [name, entities] of Object.entries(seen)) {
      if (
        ![
          "store_down",
          "region_health",
          "high_latency",
          "raftstore_cpu",
          "leader_drop",
          "low_disk_space",
        ].includes(name)
      ) {
        expect(entities, name).toEqual(EXPECTED[name]);
      }
    }
    const stage = results.raft_apply_latency as Evaluation;
    const apply5 = !isUnknownEvaluation(stage) ? stage.find((r) => r.entity === "5") : undefined;
    expect(apply5).toMatchObject({
      outcome: "violated",
      message: expect.stringMatching(
        /^Store 5 \(tikv-5\.sim:20160\) raft log apply p99 is 1\.5\d* s \(threshold 1 s\)/,
      ),
    });

    const alerts = (await (await fetch(`${prometheus.url}/api/v1/alerts`)).json()) as {
      data: { alerts: { labels: Record<string, string> }[] };
    };
    expect(alerts.data.alerts.filter((a) => a.labels.alertname === "TiKV_critical_error")).toEqual([]);

    await cluster.clearFaults();
    await until((found) => Object.values(found).every((entities) => entities.length === 0), 150_000);
  });
});
