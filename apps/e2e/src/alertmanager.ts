import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { onCleanup, trackChild } from "./cleanup.ts";

/** A real Alertmanager started for a scenario. */
export interface RunningAlertmanager {
  readonly url: string;
  /** Its stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** An alert as Alertmanager's `GET /api/v2/alerts` lists it. */
export interface ListedAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly status: { readonly state: string };
}

/** A payload Alertmanager posted to a `webhook_configs` receiver. */
export interface AlertmanagerPayload {
  readonly status: string;
  readonly alerts: readonly { readonly status: string; readonly labels: Record<string, string> }[];
}

/** A local receiver of Alertmanager's webhook posts. */
export interface AlertmanagerReceiver {
  readonly url: string;
  readonly payloads: AlertmanagerPayload[];
  close(): Promise<void>;
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
      "run `apt-get install -y --no-install-recommends prometheus-alertmanager`",
  );
}

/** Starts a receiver on 127.0.0.1 that records every JSON body posted to it and answers 200. */
export async function startAlertmanagerReceiver(): Promise<AlertmanagerReceiver> {
  const payloads: AlertmanagerPayload[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      try {
        payloads.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as AlertmanagerPayload);
      } catch {
        // not a payload; ignored
      }
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  onCleanup(close);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/am`, payloads, close };
}

/**
 * Starts Alertmanager on 127.0.0.1 (a free port), gossip off, with a route sending Operator's alerts
 * (matched on the `subject` label) to `webhookUrl`, grouped by key, resolved ones too; waits until
 * `/api/v2/status` answers. Stopped by {@link runCleanups} if not before.
 */
export async function startAlertmanager(options: {
  readonly webhookUrl: string;
  readonly subject: string;
}): Promise<RunningAlertmanager> {
  const binary = findAlertmanager();
  const dir = mkdtempSync(join(tmpdir(), "e2e-am-"));
  const config = join(dir, "alertmanager.yml");
  writeFileSync(
    config,
    [
      "route:",
      "  receiver: nobody",
      "  routes:",
      `    - matchers: [${JSON.stringify(`subject="${options.subject}"`)}, 'severity=~"critical|warning"']`,
      "      receiver: hook",
      "      group_by: [alertname, subject, entity]",
      "      group_wait: 1s",
      "      group_interval: 1s",
      "      repeat_interval: 1h",
      "receivers:",
      "  - name: nobody",
      "  - name: hook",
      "    webhook_configs:",
      `      - url: ${JSON.stringify(options.webhookUrl)}`,
      "        send_resolved: true",
      "",
    ].join("\n"),
  );
  const port = await _freePort();
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${config}`,
      `--storage.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--cluster.listen-address=",
      "--log.level=warn",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  trackChild(child);
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
  onCleanup(stop);
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
  return { url, output: () => output, stop };
}

/** Alertmanager's current alerts. */
export async function listAlertmanagerAlerts(url: string): Promise<ListedAlert[]> {
  const response = await fetch(`${url}/api/v2/alerts`);
  if (!response.ok) throw new Error(`GET /api/v2/alerts answered ${response.status}`);
  return (await response.json()) as ListedAlert[];
}

// --- Internal helpers ---

async function _freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
