import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitFor } from "./etcd-cluster.ts";

/** Where the Prometheus binary is; override with PROMETHEUS_BIN. */
export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? "/usr/bin/prometheus";

/** A real Prometheus scraping some targets every second, owned by the test that started it. */
export interface TestPrometheus {
  readonly url: string;
  /** Polls until every target has been scraped at least once (`count(up == 1)` equals the targets). */
  waitForTargets(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Prometheus on a free port scraping `targets` (`host:port`) with a 1 s interval. */
export async function startPrometheus(targets: readonly string[]): Promise<TestPrometheus> {
  const root = await mkdtemp(join(tmpdir(), "operator-prom-"));
  const port = await freePort();
  const config = [
    "global: { scrape_interval: 1s, scrape_timeout: 900ms, evaluation_interval: 1s }",
    "scrape_configs:",
    "  - job_name: etcd",
    `    static_configs: [{ targets: ${JSON.stringify(targets)} }]`,
  ].join("\n");
  await writeFile(join(root, "prometheus.yml"), `${config}\n`);
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(root, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(root, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--storage.tsdb.retention.time=1h",
      "--log.level=warn",
    ],
    { stdio: "ignore" },
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    await rm(root, { recursive: true, force: true });
  };
  process.once("exit", () => child.kill("SIGKILL"));
  return {
    url,
    stop,
    async waitForTargets(timeoutMs = 30_000) {
      await waitFor(async () => {
        try {
          const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent("count(up == 1)")}`);
          const body = (await response.json()) as { data?: { result?: { value: [number, string] }[] } };
          return Number(body.data?.result?.[0]?.value[1]) === targets.length;
        } catch {
          return false;
        }
      }, timeoutMs);
    },
  };
}
