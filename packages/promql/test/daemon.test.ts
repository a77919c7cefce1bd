import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type PrometheusHarness, type SimCluster, startCluster, startPrometheus } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** The built CLI loads `@operator/promql` by package name from a config file and runs its rules. */

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BIN = join(ROOT, "apps/monitor/bin.cjs");
const BUILT = [
  "apps/monitor/dist/cli.cjs",
  "packages/promql/dist/index.js",
  "packages/subject-kit/dist/index.js",
];

interface CheckResult {
  readonly status: string;
  readonly exitCode: number;
  readonly findings: readonly {
    key: string | null;
    outcome: string;
    message: string | null;
    reason: string | null;
  }[];
}

let cluster: SimCluster;
let prometheus: PrometheusHarness;
let dir: string;

beforeAll(async () => {
  const missing = BUILT.filter((file) => !existsSync(join(ROOT, file)));
  if (missing.length > 0)
    throw new Error(`build the workspace first (pnpm build): missing ${missing.join(", ")}`);
  dir = await mkdtemp(join(tmpdir(), "operator-promql-"));
  cluster = await startCluster({ stores: 3, timeScale: 1 });
  prometheus = await startPrometheus({ targets: cluster.scrapeTargets, scrapeIntervalMs: 1000 });
  await prometheus.waitForSamples({ timeoutMs: 60_000 });
}, 120_000);

afterAll(async () => {
  await prometheus?.stop();
  await cluster?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function check(prometheusUrl: string, rules: unknown[]): Promise<CheckResult> {
  const config = join(dir, `config-${Date.now()}.json`);
  await writeFile(
    config,
    JSON.stringify({ subjects: [["@operator/promql", { name: "rules", prometheusUrl, retries: 0, rules }]] }),
  );
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [BIN, "check", "--config", config, "--no-db", "--json"],
      (error, stdout, stderr) => {
        try {
          resolve(JSON.parse(stdout) as CheckResult);
        } catch {
          reject(new Error(`check printed no JSON (${error?.message ?? ""}): ${stderr}`));
        }
      },
    );
  });
}

describe("operator check with @operator/promql", () => {
  it("each series of a rule is a violation keyed by its labels; exit code 1", async () => {
    const result = await check(prometheus.url, [
      { name: "scraped", expr: "up == 1", message: "{{ $labels.instance }} answers" },
      { name: "down", expr: "up == 0" },
    ]);
    expect(result).toMatchObject({ status: "violated", exitCode: 1 });
    const violated = result.findings.filter((finding) => finding.outcome === "violated");
    expect(violated).toHaveLength(3);
    expect(
      violated.every((finding) =>
        /^rules\/scraped\/\{instance="[^"]+",job="[^"]+"\}$/.test(finding.key ?? ""),
      ),
    ).toBe(true);
  });

  it("an unreachable Prometheus is unknown (exit code 3), never all clear", async () => {
    const result = await check("http://127.0.0.1:1", [{ name: "down", expr: "up == 0" }]);
    expect(result).toMatchObject({ status: "unknown", exitCode: 3 });
  });
});
