import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin, setOutcome } from "./helpers/fake-plugin.ts";
import { closedPort, waitFor } from "./helpers/net.ts";
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from "./helpers/receiver.ts";

/** better-sqlite3, from @operator/db's dependencies (this app does not depend on it directly). */
const Database = createRequire(import.meta.resolve("@operator/db"))("better-sqlite3") as new (
  path: string,
  options?: { readonly?: boolean },
) => { prepare(sql: string): { all(...params: unknown[]): unknown[] }; close(): void };

const PLUGIN = "@example/fake-subject";
const SECRET = "hook-signing-s3cr3t-7f3a";
const HEARTBEAT = /Check complete: /;
let dir: string;
const running: CliProcess[] = [];
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-notify-"));
  await installFakePlugin(dir);
});
afterEach(async () => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function receiver(...args: Parameters<typeof startWebhookReceiver>): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver(...args);
  receivers.push(r);
  return r;
}

/** Writes a config (fake subject `s` whose outcome is read from `<name>.outcome`) and the outcome file. */
async function setup(
  name: string,
  notify: readonly Record<string, unknown>[],
  extra: Record<string, unknown> = {},
): Promise<{ config: string; db: string; outcome: (value: string) => Promise<void> }> {
  const config = join(dir, `${name}.json`);
  const db = join(dir, `${name}.db`);
  const outcomeFile = join(dir, `${name}.outcome`);
  await setOutcome(outcomeFile, "violated");
  await writeFile(
    config,
    JSON.stringify({
      pluginDir: ".",
      db,
      interval: "300ms",
      ...extra,
      notify,
      subjects: [[PLUGIN, { name: "s", outcomeFile }]],
    }),
  );
  return { config, db, outcome: (value) => setOutcome(outcomeFile, value) };
}

function start(args: readonly string[], env: Record<string, string> = {}): CliProcess {
  const proc = startCli(["monitor", ...args], { cwd: dir, env });
  running.push(proc);
  return proc;
}

async function stop(proc: CliProcess): Promise<void> {
  proc.child.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
}

function eventIds(db: string): number[] {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare("SELECT id FROM ticket_events ORDER BY id").all() as { id: number }[]).map(
      (r) => r.id,
    );
  } finally {
    conn.close();
  }
}

const delivered = (r: WebhookReceiver, event: string) =>
  r.requests.find((q) => q.accepted && q.event === event) ?? undefined;

interface StatusJson {
  channel: string;
  pending: number;
  oldestPendingAgeSeconds: number | null;
  lastSuccessAt: string | null;
  lastError: string | null;
  failed: number;
}

async function status(db: string): Promise<StatusJson[]> {
  const result = await runCli(["notifications", "status", "--json", "--db", db], { cwd: dir });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as StatusJson[];
}

/** Accepted requests of each ticket key, in arrival order, as event ids. */
function idsByKey(requests: readonly ReceivedRequest[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const q of requests.filter((r) => r.accepted)) {
    const id = Number(q.idempotencyKey?.split(":")[1]);
    out.set(q.key ?? "", [...(out.get(q.key ?? "") ?? []), id]);
  }
  return out;
}

describe("operator monitor with a webhook channel", () => {
  it("delivers opened and resolved with the idempotency key and signature, counts them in /metrics, and never prints the secret", async () => {
    const hook = await receiver();
    const port = await closedPort();
    const { config, db, outcome } = await setup(
      "basic",
      [{ type: "webhook", url: hook.url, secret: { $env: "HOOK_SECRET" } }],
      { listen: `127.0.0.1:${port}` },
    );
    const proc = start(["--config", config], { HOOK_SECRET: SECRET });
    await proc.waitForLine(/Monitor loop started: .*notifying webhook/);
    const opened = await waitFor(() => delivered(hook, "opened"), 30_000, "opened delivered");
    await outcome("ok");
    const resolved = await waitFor(() => delivered(hook, "resolved"), 30_000, "resolved delivered");
    for (const request of [opened, resolved]) {
      expect(request.idempotencyKey).toMatch(/^webhook:\d+$/);
      const mac = createHmac("sha256", SECRET).update(request.body).digest("hex");
      expect(request.signature).toBe(`sha256=${mac}`);
      expect(request.key).toBe("s/probe/e1");
    }
    expect(opened.idempotencyKey).not.toBe(resolved.idempotencyKey);

    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const sent = /^operator_notifications_sent_total\{channel="webhook"\} (\d+)$/m.exec(metrics);
    expect(Number(sent?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toMatch(/^operator_notifications_pending\{channel="webhook"\} \d+$/m);
    expect(metrics).toMatch(/^operator_notifications_failed_total\{channel="webhook"\} 0$/m);
    expect(metrics).toMatch(/^operator_notifications_retried_total\{channel="webhook"\} 0$/m);
    expect(metrics).toMatch(/^operator_notification_delivery_seconds_count\{channel="webhook"\} [1-9]\d*$/m);
    await stop(proc);

    const [channel] = await status(db);
    expect(channel).toMatchObject({ channel: "webhook", pending: 0, failed: 0, lastError: null });
    expect(channel?.lastSuccessAt).not.toBeNull();
    const table = await runCli(["notifications", "status", "--db", db], { cwd: dir });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^CHANNEL\s+PENDING/);
    expect(table.stdout).toMatch(/^webhook\s+0\s/m);
    expect(proc.transcript()).not.toContain(SECRET);
  });

  it("keeps events while the receiver is down (status shows them and the error), then delivers all in order per key", async () => {
    const hook = await receiver({ kind: "down" });
    const { config, db, outcome } = await setup("down", [{ type: "webhook", url: hook.url }]);
    const proc = start(["--config", config]);
    await waitFor(() => (hook.requests.length >= 2 ? true : undefined), 30_000, "two refused attempts");
    await proc.waitForLine(/Deliveries on webhook are being retried .*503/);
    const [down] = await status(db);
    expect(down?.pending).toBeGreaterThanOrEqual(1);
    expect(down?.lastError).toMatch(/503/);
    expect(down?.oldestPendingAgeSeconds).not.toBeNull();

    await outcome("ok");
    await proc.waitForLine(/resolved/);
    hook.mode = { kind: "ok" };
    await waitFor(
      () => delivered(hook, "resolved"),
      90_000,
      "resolved delivered after the receiver came back",
    );
    await stop(proc);
    for (const ids of idsByKey(hook.requests).values()) expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(hook.requests.filter((q) => q.accepted).map((q) => q.event)).toEqual(["opened", "resolved"]);
    const [after] = await status(db);
    expect(after?.pending).toBe(0);
    expect(after?.lastSuccessAt).not.toBeNull();
  });

  it("sends again, after SIGKILL, the event whose delivery was in flight: every event arrives at least once", async () => {
    const hook = await receiver({ kind: "slow", ms: 3_000 });
    const { config, db, outcome } = await setup("kill", [{ type: "webhook", url: hook.url }]);
    const first = start(["--config", config]);
    await waitFor(() => (hook.arrived >= 1 ? true : undefined), 30_000, "a delivery in flight");
    first.child.kill("SIGKILL");
    await first.exited;
    expect(hook.requests.filter((q) => q.accepted)).toEqual([]);
    await outcome("ok");
    hook.mode = { kind: "ok" };
    const second = start(["--config", config]);
    await waitFor(() => delivered(hook, "resolved"), 30_000, "resolved delivered after the restart");
    await stop(second);
    const received = new Set(hook.requests.filter((q) => q.accepted).map((q) => q.idempotencyKey));
    const events = eventIds(db);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const id of events) expect(received).toContain(`webhook:${id}`);
  });

  it("keeps its heartbeat interval while the receiver hangs (--notify-webhook)", async () => {
    const hook = await receiver({ kind: "hang" });
    const { config } = await setup("hang", []);
    const proc = start(["--config", config, "--notify-webhook", hook.url]);
    await waitFor(() => (hook.arrived >= 1 ? true : undefined), 30_000, "a delivery hanging");
    const before = proc.stderr.filter((l) => HEARTBEAT.test(l)).length;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const during = proc.stderr.filter((l) => HEARTBEAT.test(l)).length - before;
    // 300 ms interval: about 13 cycles in 4 s; a loop waiting on the receiver (10 s timeout) would have none.
    expect(during).toBeGreaterThanOrEqual(5);
    await stop(proc);
  });

  it("--notify-webhook twice adds two channels, named webhook-1 and webhook-2, beside the config's", async () => {
    const [a, b, c] = [await receiver(), await receiver(), await receiver()];
    const { config, db } = await setup("flags", [{ type: "webhook", name: "from-config", url: c.url }]);
    const proc = start(["--config", config, "--notify-webhook", a.url, "--notify-webhook", b.url]);
    await proc.waitForLine(/notifying from-config \(webhook\), webhook-1 \(webhook\), webhook-2 \(webhook\)/);
    for (const [r, name] of [
      [a, "webhook-1"],
      [b, "webhook-2"],
      [c, "from-config"],
    ] as const) {
      const request = await waitFor(() => delivered(r, "opened"), 30_000, `opened on ${name}`);
      expect(request.idempotencyKey).toMatch(new RegExp(`^${name}:\\d+$`));
    }
    await stop(proc);
    expect((await status(db)).map((s) => s.channel)).toEqual(["from-config", "webhook-1", "webhook-2"]);
  });

  it("refuses a reload that changes notify", async () => {
    const hook = await receiver();
    const { config } = await setup("reload", [{ type: "webhook", url: hook.url }]);
    const proc = start(["--config", config]);
    await proc.waitForLine(HEARTBEAT);
    const { config: changed } = await setup("reload", [{ type: "webhook", url: `${hook.url}?other=1` }]);
    expect(changed).toBe(config);
    proc.child.kill("SIGHUP");
    await proc.waitForLine(/Reload refused \(SIGHUP\): notify changed, which needs a restart/);
    await stop(proc);
  });
});

describe("bad notify entries", () => {
  it.each([
    ["a missing url", [{ type: "webhook" }], /notify\[0\] \(webhook\).*`url`/],
    [
      "a duplicate name",
      [
        { type: "webhook", url: "http://127.0.0.1:9/a" },
        { type: "webhook", url: "http://127.0.0.1:9/b" },
      ],
      /notify\[1\]: channel name "webhook" is already used by .*notify\[0\]/,
    ],
    ["a path as type", [{ type: "./evil.js" }], /notify\[0\]: "\.\/evil\.js" is a path/],
    [
      "an unknown package",
      [{ type: "@example/no-such-notifier" }],
      /notify\[0\]: notifier package @example\/no-such-notifier cannot be found/,
    ],
    [
      "a mistyped option next to a secret",
      [{ type: "webhook", url: "http://127.0.0.1:9/a", secret: SECRET, sceret: "x" }],
      /notify\[0\] \(webhook\).*sceret/,
    ],
    ["no type", [{ url: "http://127.0.0.1:9/a" }], /notify\[0\]\.type/],
  ])("%s exits 2 naming the entry", async (_what, notify, message) => {
    const { config, db } = await setup(`bad-${_what.replaceAll(" ", "-")}`, notify);
    const result = await runCli(["monitor", "--config", config], { cwd: dir });
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    expect(existsSync(db)).toBe(false);
  });

  it("--notify-webhook with a bad URL exits 2", async () => {
    const { config } = await setup("bad-flag", []);
    const result = await runCli(["monitor", "--config", config, "--notify-webhook", "ftp://x"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--notify-webhook/);
  });
});
