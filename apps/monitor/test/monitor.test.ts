import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin, setOutcome } from "./helpers/fake-plugin.ts";
import { closedPort, waitFor } from "./helpers/net.ts";

const HEARTBEAT = /Check complete: /;
let dir: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-monitor-"));
  await installFakePlugin(dir);
});
afterEach(() => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[]): CliProcess {
  const proc = startCli(["monitor", ...args]);
  running.push(proc);
  return proc;
}

/** Waits until `proc` has printed at least `count` heartbeat lines. */
async function heartbeats(proc: CliProcess, count: number): Promise<void> {
  await waitFor(
    () => (proc.stderr.filter((l) => HEARTBEAT.test(l)).length >= count ? true : undefined),
    90_000,
    `${count} heartbeats:\n${proc.transcript()}`,
  );
}

async function fakeConfig(
  name: string,
  subject: Record<string, unknown>,
  settings: Record<string, unknown> = {},
): Promise<string> {
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      pluginDir: ".",
      ...settings,
      subjects: [["@example/fake-subject", { name: "fake", ...subject }]],
    }),
  );
  return path;
}

describe("operator monitor", () => {
  it("starts with PD unreachable, keeps running with unknown results, and stops cleanly on SIGTERM", async () => {
    const port = await closedPort();
    const db = join(dir, "unreachable.db");
    const proc = start(["--pd", `http://127.0.0.1:${port}`, "--interval", "500ms", "--db", db]);
    await heartbeats(proc, 2);
    expect(proc.child.exitCode).toBeNull();
    expect(proc.stderr.join("\n")).toMatch(/unknown|unreachable/i);
    expect(proc.stdout).toEqual([]);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.stderr.at(-1)).toMatch(/Monitor loop stopped$/);
    expect(existsSync(db)).toBe(true);
  });

  it("opens a ticket when a subject's invariant is violated and resolves it when it holds again", async () => {
    const outcomeFile = join(dir, "outcome.txt");
    await setOutcome(outcomeFile, "violated");
    const db = join(dir, "lifecycle.db");
    const proc = start([
      "--config",
      await fakeConfig("lifecycle", { outcomeFile }),
      "--interval",
      "300ms",
      "--db",
      db,
    ]);
    const list = async () =>
      JSON.parse((await runCli(["tickets", "list", "--all", "--json", "--db", db])).stdout);
    const opened = await waitFor(
      async () => {
        const tickets = await list();
        return tickets.length === 1 ? tickets[0] : undefined;
      },
      90_000,
      "a ticket",
    );
    expect(opened).toMatchObject({ key: "fake/probe/e1", status: "open", message: "probe failed on e1" });
    await setOutcome(outcomeFile, "critical");
    await proc.waitForLine(
      new RegExp(
        `warn +Ticket ${opened.id} severity changed warning -> critical: fake/probe/e1: probe down on e1`,
      ),
    );
    await setOutcome(outcomeFile, "ok");
    const resolved = await waitFor(
      async () => {
        const [ticket] = await list();
        return ticket?.status === "resolved" ? ticket : undefined;
      },
      90_000,
      "the ticket to resolve",
    );
    expect(resolved).toMatchObject({ id: opened.id, resolvedBy: "monitor" });
    await proc.waitForLine(new RegExp(`Ticket ${opened.id} resolved: fake/probe/e1 \\(evaluated ok\\)`));
    expect(proc.stderr.join("\n")).toContain(
      `Ticket ${opened.id} opened [warning] fake/probe/e1: probe failed on e1`,
    );
    proc.child.kill("SIGINT");
    expect(await proc.exited).toBe(0);
  });

  it("--log-format json writes one JSON object per stderr line", async () => {
    const proc = start([
      "--config",
      await fakeConfig("json", { outcome: "ok" }),
      "--interval",
      "300ms",
      "--db",
      join(dir, "json.db"),
      "--log-format",
      "json",
    ]);
    await heartbeats(proc, 1);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const lines = proc.stderr.map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines)
      expect(line).toMatchObject({
        time: expect.any(String),
        level: expect.any(String),
        msg: expect.any(String),
      });
    expect(lines.at(-1).msg).toBe("Monitor loop stopped");
  });

  it("--listen serves /metrics and /healthz", async () => {
    const proc = start([
      "--config",
      await fakeConfig("metrics", { outcome: "violated" }),
      "--interval",
      "300ms",
      "--db",
      join(dir, "metrics.db"),
      "--listen",
      "127.0.0.1:0",
    ]);
    const started = await proc.waitForLine(/Monitor loop started/);
    const base = /metrics on (http:\/\/\S+)\/metrics/.exec(started)?.[1];
    expect(base, started).toBeDefined();
    await heartbeats(proc, 2);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(Number(/^operator_cycles_total (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/^operator_open_tickets\{severity="warning"\} 1$/m);
    expect(metrics).toMatch(/^operator_last_cycle_violations 1$/m);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok" });
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  it("finishes the cycle in flight on SIGTERM, and a second signal exits at once", async () => {
    const slow = await fakeConfig("slow", { outcome: "ok", delayMs: 4000 }, { deadline: "20s" });
    const graceful = start(["--config", slow, "--interval", "30s", "--db", join(dir, "slow.db")]);
    await graceful.waitForLine(/Monitor loop started/);
    graceful.child.kill("SIGTERM");
    await graceful.waitForLine(/finishing the cycle in flight/);
    expect(await graceful.exited).toBe(0);
    const order = graceful.stderr.findIndex((l) => HEARTBEAT.test(l));
    expect(order, graceful.transcript()).toBeGreaterThan(-1);
    expect(graceful.stderr.at(-1)).toMatch(/Monitor loop stopped$/);

    const impatient = start(["--config", slow, "--interval", "30s", "--db", join(dir, "slow2.db")]);
    await impatient.waitForLine(/Monitor loop started/);
    impatient.child.kill("SIGTERM");
    await impatient.waitForLine(/finishing the cycle in flight/);
    impatient.child.kill("SIGTERM");
    expect(await impatient.exited).toBe(143);
    expect(impatient.stderr.some((l) => HEARTBEAT.test(l))).toBe(false);
  });

  it("exits 70 with a report line, not a stack, when a plugin bug crashes the process", async () => {
    const proc = start([
      "--config",
      await fakeConfig("crash", { outcome: "crash" }),
      "--db",
      join(dir, "crash.db"),
    ]);
    expect(await proc.exited).toBe(70);
    expect(proc.stderr.join("\n")).toMatch(/^operator: internal error, please report it: fake plugin bug$/m);
    expect(proc.stderr.join("\n")).toMatch(/^operator: operator \d+\.\d+\.\d+, node v\d+/m);
    expect(proc.stderr.join("\n")).not.toMatch(/^\s+at /m);
  });

  it("exits 4 when the database cannot be opened, naming it", async () => {
    const bad = join(dir, "no-such-dir", "x.db");
    const result = await runCli(["monitor", "--pd", "http://127.0.0.1:9", "--db", bad]);
    expect(result.code).toBe(4);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^operator: cannot open database .*no-such-dir/i),
    ]);
  });

  it("exits 2 when the --listen address is taken", async () => {
    const first = start([
      "--config",
      await fakeConfig("taken", { outcome: "ok" }),
      "--db",
      join(dir, "taken.db"),
      "--listen",
      "127.0.0.1:0",
    ]);
    const line = await first.waitForLine(/Monitor loop started/);
    const address = /metrics on http:\/\/(\S+)\/metrics/.exec(line)?.[1] as string;
    const result = await runCli([
      "monitor",
      "--config",
      join(dir, "taken.json"),
      "--db",
      join(dir, "taken2.db"),
      "--listen",
      address,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^operator: cannot listen on 127\.0\.0\.1:\d+: .*EADDRINUSE/);
  });
});

describe("operator monitor demo", () => {
  it("refuses to start when nothing names a cluster and --demo is not given (no silent demo)", async () => {
    const result = await runCli(["monitor", "--db", join(dir, "no-cluster.db")]);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      "operator: no cluster named: pass --pd URL (or set PD_ENDPOINT) or --config FILE (or set OPERATOR_CONFIG); `operator monitor --demo` runs a demo on a simulated cluster",
    ]);
    expect(existsSync(join(dir, "no-cluster.db"))).toBe(false);
  });

  it("runs the simulated cluster with a real Prometheus with --demo, and stops cleanly", async () => {
    const proc = start(["--demo", "--db", join(dir, "demo.db")]);
    await proc.waitForLine(/Demo: monitoring a simulated TiKV cluster \(--demo\)/);
    await proc.waitForLine(/Monitor loop started: demo \(tikv\) every 2\.0s/, 120_000);
    await heartbeats(proc, 1);
    expect(proc.stderr.join("\n")).toMatch(/Demo: the script: at 20 s store 2 stops/);
    expect(proc.stderr.join("\n")).toMatch(/Demo: Prometheus started at http:\/\/127\.0\.0\.1:\d+/);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.stderr.at(-1)).toMatch(/Monitor loop stopped$/);
  });

  it("--demo starts a local webhook receiver and logs the store-down notifications it receives (open, then resolve)", async () => {
    const proc = start(["--demo", "--interval", "500ms", "--db", join(dir, "demo-webhook.db")]);
    const started = await proc.waitForLine(
      /Demo: webhook receiver at (http:\/\/127\.0\.0\.1:\d+\/\S+);/,
      120_000,
    );
    const url = /receiver at (\S+);/.exec(started)?.[1] as string;
    await proc.waitForLine(/Monitor loop started: .*notifying demo-webhook \(webhook\)/, 120_000);
    await proc.waitForLine(
      /\[demo webhook\] opened (warning|critical) demo\/store_down\/2: Store 2 /,
      150_000,
    );
    await proc.waitForLine(/\[demo webhook\] resolved (warning|critical) demo\/store_down\/2: /, 150_000);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    await expect(fetch(url, { method: "POST", body: "{}" })).rejects.toThrow();
  }, 240_000);

  it("a signal during start-up stops cleanly once started, and stops the demo's Prometheus", async () => {
    const proc = start(["--demo", "--db", join(dir, "demo-early.db")]);
    const line = await proc.waitForLine(/Demo: Prometheus started at (http:\/\/\S+);/, 120_000);
    const prometheus = /started at (http:\/\/\S+);/.exec(line)?.[1] as string;
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.stderr.join("\n")).toMatch(/Received SIGTERM during start-up/);
    expect(proc.stderr.at(-1)).toMatch(/Monitor loop stopped$/);
    expect(proc.stderr.some((l) => HEARTBEAT.test(l))).toBe(false);
    await expect(fetch(`${prometheus}/-/ready`)).rejects.toThrow();
  });

  it("says so and runs without Prometheus when it is not installed", async () => {
    const proc = startCli(["monitor", "--demo", "--db", join(dir, "demo-no-prom.db")], {
      env: { PROMETHEUS_BIN: join(dir, "no-such-prometheus") },
    });
    running.push(proc);
    const warning = await proc.waitForLine(/running WITHOUT Prometheus/, 120_000);
    expect(warning).toMatch(/apt-get install -y --no-install-recommends prometheus/);
    await heartbeats(proc, 1);
    proc.child.kill("SIGINT");
    expect(await proc.exited).toBe(0);
  });
});
