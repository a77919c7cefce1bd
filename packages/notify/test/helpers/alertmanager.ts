import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { closedPort } from "@operator/core/testing";

/** A real Alertmanager started for a test. */
export interface RunningAlertmanager {
  readonly url: string;
  readonly port: number;
  readonly storage: string;
  /** Its stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The Alertmanager binary on `path`: Debian names it `prometheus-alertmanager`. */
export function findAlertmanager(path = process.env.PATH ?? ""): string {
  for (const dir of path.split(delimiter).filter((entry) => entry !== "")) {
    for (const name of ["prometheus-alertmanager", "alertmanager"]) {
      const binary = join(dir, name);
      try {
        accessSync(binary, constants.X_OK);
        return binary;
      } catch {
        // not here
      }
    }
  }
  throw new Error(
    "Alertmanager is not installed (no prometheus-alertmanager or alertmanager on PATH): " +
      "`./dev test` installs it, or run `apt-get install -y --no-install-recommends prometheus-alertmanager`",
  );
}

/**
 * Starts Alertmanager on 127.0.0.1 (a free port, or `port`), gossip off, with a route sending every
 * alert to `webhookUrl` grouped by key (group_wait and group_interval 1 s, resolved ones too), and
 * waits until `/api/v2/status` answers.
 */
export async function startAlertmanager(options: {
  webhookUrl: string;
  port?: number;
  storage?: string;
}): Promise<RunningAlertmanager> {
  const binary = findAlertmanager();
  const dir = mkdtempSync(join(tmpdir(), "notify-am-"));
  const storage = options.storage ?? join(dir, "data");
  const config = join(dir, "alertmanager.yml");
  writeFileSync(
    config,
    [
      "route:",
      "  receiver: hook",
      "  group_by: [alertname, subject, entity]",
      "  group_wait: 1s",
      "  group_interval: 1s",
      "  repeat_interval: 1h",
      "receivers:",
      "  - name: hook",
      "    webhook_configs:",
      `      - url: ${JSON.stringify(options.webhookUrl)}`,
      "        send_resolved: true",
      "",
    ].join("\n"),
  );
  const port = options.port ?? (await closedPort());
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.path=${storage}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const until = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Alertmanager exited (${child.exitCode}): ${output}`);
    try {
      const response = await fetch(`${url}/api/v2/status`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > until) {
      await stop();
      throw new Error(`Alertmanager did not answer /api/v2/status within 30 s: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, port, storage, output: () => output, stop };
}

/** An alert as Alertmanager's `GET /api/v2/alerts` lists it. */
export interface ListedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
  fingerprint: string;
  status: { state: string };
}

/** Alertmanager's current alerts. */
export async function listAlerts(url: string): Promise<ListedAlert[]> {
  const response = await fetch(`${url}/api/v2/alerts`);
  if (!response.ok) throw new Error(`GET /api/v2/alerts answered ${response.status}`);
  return (await response.json()) as ListedAlert[];
}

/** Polls `check` every 100 ms until it returns a value, or throws after `ms`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  ms = 20_000,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
