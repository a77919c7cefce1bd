#!/usr/bin/env node
import { parseArgs } from "node:util";
import { isOperatorError, parseDuration } from "@operator/core";
import { startCluster } from "./cluster.ts";
import { FAULT_USAGE, parseFaultArgs } from "./control.ts";
import { PrometheusHarnessError, SimulatorError } from "./errors.ts";
import { type PrometheusHarness, startPrometheus } from "./prometheus/harness.ts";
import { demoScenario, runScenario } from "./scenario.ts";

const USAGE = `Usage:
  tikv-sim start [--stores 3] [--tiflash-stores 0] [--time-scale 1] [--max-store-down-time 30m]
                 [--regions N] [--seed 1] [--prometheus] [--scrape-interval 1s] [--scenario demo]
  tikv-sim fault <control-url> <fault> [args...]
  tikv-sim state <control-url>

Faults:
  ${FAULT_USAGE.join("\n  ")}`;

/** Exit codes: 0 ok, 1 runtime failure, 2 usage error. */
async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "start":
      return start(rest);
    case "fault":
      return fault(rest);
    case "state":
      return state(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`Unknown command ${JSON.stringify(command)}`);
  }
}

async function start(args: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      stores: { type: "string", default: "3" },
      "tiflash-stores": { type: "string", default: "0" },
      "time-scale": { type: "string", default: "1" },
      "max-store-down-time": { type: "string", default: "30m" },
      regions: { type: "string" },
      seed: { type: "string", default: "1" },
      prometheus: { type: "boolean", default: false },
      "scrape-interval": { type: "string", default: "1s" },
      scenario: { type: "string" },
    },
    strict: true,
  });
  if (values.scenario !== undefined && values.scenario !== "demo") {
    throw new UsageError(`Unknown scenario ${JSON.stringify(values.scenario)} (known: demo)`);
  }
  const cluster = await startCluster({
    stores: integer("--stores", values.stores),
    tiflashStores: integer("--tiflash-stores", values["tiflash-stores"]),
    timeScale: Number(values["time-scale"]),
    maxStoreDownTimeMs: parseDuration(values["max-store-down-time"], "--max-store-down-time"),
    seed: integer("--seed", values.seed),
    ...(values.regions === undefined ? {} : { regions: integer("--regions", values.regions) }),
  });
  let prometheus: PrometheusHarness | null = null;
  const scenario = new AbortController();
  const shutdown = async (): Promise<void> => {
    scenario.abort();
    await prometheus?.stop();
    await cluster.close();
  };
  try {
    console.log(`PD:          ${cluster.pdUrl}`);
    console.log(`Control:     ${cluster.controlUrl}   (tikv-sim fault ${cluster.controlUrl} stop-store 2)`);
    console.log(
      `Metrics:     ${cluster.controlUrl}/stores/<id>/metrics   (${cluster.scrapeTargets.length} TiKV stores)`,
    );
    if (values.prometheus) {
      const interval = parseDuration(values["scrape-interval"], "--scrape-interval");
      prometheus = await startPrometheus({
        targets: cluster.scrapeTargets,
        pdTargets: cluster.pdScrapeTargets,
        scrapeIntervalMs: interval,
      });
      console.log(`Prometheus:  ${prometheus.url}   (waiting for the first scrapes)`);
      await prometheus.waitForSamples({ timeoutMs: 120_000 });
      console.log("Prometheus:  every store scraped");
    }
  } catch (error) {
    await shutdown();
    throw error;
  }
  if (values.scenario === "demo") {
    void runScenario(cluster, demoScenario, (line) => console.log(line), { signal: scenario.signal });
  }
  console.log("Running; Ctrl-C stops");
  await new Promise<void>((resolve) => {
    const onSignal = (): void => {
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(143));
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
  await shutdown();
  console.log("Simulator stopped");
  return 0;
}

async function fault(args: readonly string[]): Promise<number> {
  const [url, ...words] = args;
  if (!url || words.length === 0) throw new UsageError("tikv-sim fault needs a control URL and a fault");
  const command = parseFaultArgs(words);
  const res = await request(controlUrl(url, "/sim/faults"), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(command),
  });
  console.log(res.text.trimEnd());
  return res.status === 200 ? 0 : res.status === 400 ? 2 : 1;
}

async function state(args: readonly string[]): Promise<number> {
  const [url] = args;
  if (!url) throw new UsageError("tikv-sim state needs a control URL");
  const res = await request(controlUrl(url, "/sim/state"));
  console.log(res.text.trimEnd());
  return res.status === 200 ? 0 : 1;
}

// --- Internal helpers ---

class UsageError extends SimulatorError {
  override name = "UsageError";
}

/** The control URL did not answer. */
class UnreachableError extends SimulatorError {
  override name = "UnreachableError";
}

async function request(url: URL, init?: RequestInit): Promise<{ status: number; text: string }> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    return { status: res.status, text: await res.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? String(error);
    throw new UnreachableError(`Cannot reach the simulator's control API at ${url.origin}: ${reason}`);
  }
}

function controlUrl(url: string, path: string): URL {
  try {
    return new URL(path, url);
  } catch {
    throw new UsageError(`Not a URL: ${JSON.stringify(url)}`);
  }
}

function integer(flag: string, value: string): number {
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
    } else if (error instanceof PrometheusHarnessError || error instanceof UnreachableError) {
      console.error(error.message);
      process.exitCode = 1;
    } else if (isOperatorError(error)) {
      console.error(error.message);
      process.exitCode = 2;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  },
);
