import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type PrometheusHarness,
  PrometheusNotFoundError,
  prometheusConfig,
  type SimCluster,
  startCluster,
  startPrometheus,
} from "../src/index.ts";

describe("prometheusConfig", () => {
  it("relabels each target's path and instance and keeps scrape_timeout below the interval", () => {
    const yaml = prometheusConfig({
      targets: [{ target: "127.0.0.1:4000", metricsPath: "/stores/7/metrics", instance: "tikv-7.sim:20180" }],
      scrapeIntervalMs: 1000,
      evaluationIntervalMs: 1000,
      ruleFiles: ["/tmp/rules.yml"],
    });
    expect(yaml).toContain("  scrape_interval: 1000ms\n  scrape_timeout: 900ms\n");
    expect(yaml).toContain('rule_files:\n  - "/tmp/rules.yml"\n');
    expect(yaml).toContain(
      '      - targets: ["127.0.0.1:4000"]\n        labels:\n          __metrics_path__: "/stores/7/metrics"\n          instance: "tikv-7.sim:20180"\n',
    );
  });
});

describe("startPrometheus", () => {
  it("names how to install Prometheus when the binary is missing", async () => {
    const error = await startPrometheus({ targets: [], binary: "/nonexistent/prometheus" }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PrometheusNotFoundError);
    expect(String((error as Error).message)).toMatch(
      /\/nonexistent\/prometheus.*apt-get install -y --no-install-recommends prometheus/,
    );
  });
});

describe("a running harness", { timeout: 60_000 }, () => {
  let cluster: SimCluster;
  let prometheus: PrometheusHarness;

  beforeAll(async () => {
    cluster = await startCluster({ stores: 3 });
    prometheus = await startPrometheus({ targets: cluster.scrapeTargets });
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    await cluster?.close();
  });

  it("waits until every target has samples that rate() can use", async () => {
    await prometheus.waitForSamples();
    const rates = await prometheus.query("rate(process_cpu_seconds_total[1m])");
    expect(rates).toHaveLength(3);
  });

  it("follows new targets after setTargets, and keeps its data over a restart", async () => {
    await prometheus.setTargets(cluster.scrapeTargets.slice(0, 2));
    await expect.poll(async () => (await prometheus.query("up"))?.length, { timeout: 20_000 }).toBe(2);
    const samples = async (): Promise<number> =>
      (await prometheus.query('count_over_time(up{instance="tikv-1.sim:20180"}[10m])'))[0]?.value ?? 0;
    const before = await samples();
    expect(before).toBeGreaterThan(2);
    await prometheus.restart();
    expect(await samples()).toBeGreaterThanOrEqual(before);
    await expect.poll(samples, { timeout: 20_000 }).toBeGreaterThan(before);
  });

  it("runs side by side with another harness and stops only its own process", async () => {
    const url = prometheus.url;
    const other = await startPrometheus({ targets: [] });
    expect(other.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(other.url).not.toBe(url);
    expect(await other.query("vector(1)")).toEqual([{ metric: {}, value: 1, timestamp: expect.any(Number) }]);
    await other.stop();
    await expect(fetch(`${other.url}/-/ready`)).rejects.toThrow();
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  });
});

describe("temporary directories", () => {
  it("are gone after stop()", async () => {
    const harness = await startPrometheus({ targets: [] });
    const flags = (await (await fetch(`${harness.url}/api/v1/status/flags`)).json()) as {
      data: Record<string, string>;
    };
    const dataDir = flags.data["storage.tsdb.path"] as string;
    expect(existsSync(dataDir)).toBe(true);
    expect(flags.data["web.enable-lifecycle"]).toBe("true");
    await harness.stop();
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("a Node process that ends without stopping its harness", { timeout: 60_000 }, () => {
  it.each([
    ["exits", "process.exit(0);"],
    ["is killed with SIGKILL", "process.kill(process.pid, 'SIGKILL');"],
  ])("takes its Prometheus and temporary directory with it when it %s", async (_how, ending) => {
    const script = [
      `import { startPrometheus } from ${JSON.stringify(new URL("../src/index.ts", import.meta.url).href)};`,
      "const h = await startPrometheus({ targets: [] });",
      "const flags = await (await fetch(h.url + '/api/v1/status/flags')).json();",
      "console.log(JSON.stringify({ pid: h.pid, dir: flags.data['storage.tsdb.path'] }));",
      ending,
    ].join("\n");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "--conditions=@operator/source", "--input-type=module", "-e", script],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d));
    await new Promise((resolve) => child.once("exit", resolve));
    const { pid, dir } = JSON.parse(out) as { pid: number; dir: string };
    const alive = (): boolean => {
      try {
        process.kill(pid, 0);
        return !readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z");
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 15_000 }).toBe(false);
    await expect.poll(() => existsSync(dir), { timeout: 5_000 }).toBe(false);
  });
});
