import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";
import { closedPort, waitFor } from "./helpers/net.ts";

/** better-sqlite3, from @operator/db's dependencies (this app does not depend on it directly). */
const Database = createRequire(import.meta.resolve("@operator/db"))("better-sqlite3") as new (
  path: string,
  options?: { readonly?: boolean },
) => {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; get(...params: unknown[]): unknown };
  close(): void;
};

interface Row {
  id: number;
  key: string;
  status: string;
  held: number;
  severity: string;
}

const HEARTBEAT = /Check complete: /;
const PLUGIN = "@example/fake-subject";
let dir: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-reload-"));
  await installFakePlugin(dir);
});
afterEach(() => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a config file of fake subjects (name -> options) with a 300 ms interval. */
async function writeConfig(
  path: string,
  subjects: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await writeFile(
    path,
    JSON.stringify({
      pluginDir: ".",
      interval: "300ms",
      ...extra,
      subjects: Object.entries(subjects).map(([name, options]) => [PLUGIN, { name, ...options }]),
    }),
  );
}

function start(args: readonly string[]): CliProcess {
  const proc = startCli(["monitor", ...args], { cwd: dir });
  running.push(proc);
  return proc;
}

function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

const tickets = (db: string) => query<Row>(db, "SELECT * FROM tickets ORDER BY id");
const byKey = (db: string, key: string) => tickets(db).filter((t) => t.key === key);

async function heartbeatsAfter(proc: CliProcess, index: number, count: number): Promise<void> {
  await waitFor(
    () => (proc.stderr.slice(index).filter((l) => HEARTBEAT.test(l)).length >= count ? true : undefined),
    30_000,
    `${count} heartbeats:\n${proc.transcript()}`,
  );
}

async function metric(base: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const value = new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}

describe("reload on SIGHUP", () => {
  it("adds, removes and changes subjects from the next cycle, keeping grace and tickets; refuses a bad config and carries on", async () => {
    const config = join(dir, "reload.json");
    const db = join(dir, "reload.db");
    await writeConfig(config, {
      alpha: { outcome: "violated" },
      beta: { outcome: "violated" },
      kept: { outcome: "violated" },
      slow: { outcome: "violated", probe: { forMs: 3_600_000 } },
    });
    const proc = start(["--config", config, "--db", db, "--listen", "127.0.0.1:0"]);
    const started = await proc.waitForLine(/Monitor loop started/);
    const base = /metrics on (http:\/\/\S+)\/metrics/.exec(started)?.[1] as string;
    await heartbeatsAfter(proc, 0, 2);
    expect(await metric(base, "operator_config_last_reload_successful")).toBe(1);
    const startedAt = await metric(base, "operator_config_last_reload_success_timestamp_seconds");
    const [alpha] = byKey(db, "alpha/probe/e1");
    const [beta] = byKey(db, "beta/probe/e1");
    const [kept] = byKey(db, "kept/probe/e1");
    expect(alpha?.severity).toBe("warning");
    expect(byKey(db, "slow/probe/e1")).toEqual([]);
    const [pending] = query<{ pending_since: number }>(
      db,
      "SELECT pending_since FROM key_states WHERE key = ?",
      "slow/probe/e1",
    );
    expect(pending?.pending_since).toBeGreaterThan(0);
    // A person holds kept's ticket; kept is then removed from the file along with beta.
    expect((await runCli(["tickets", "hold", String(kept?.id), "--db", db])).code).toBe(0);

    await writeConfig(config, {
      alpha: { outcome: "violated", probe: { severity: "critical" } },
      slow: { outcome: "violated", probe: { forMs: 3_600_000 } },
      gamma: { outcome: "violated" },
    });
    proc.child.kill("SIGHUP");
    const reloaded = await proc.waitForLine(/Configuration reloaded/);
    expect(reloaded).toContain("3 subjects; added gamma; removed beta, kept");
    await proc.waitForLine(
      new RegExp(`Ticket ${beta?.id} resolved: beta/probe/e1 \\(removed from configuration\\)`),
    );
    await proc.waitForLine(new RegExp(`Ticket ${kept?.id} is orphaned but held: kept/probe/e1`));
    const mark = proc.stderr.length;
    await heartbeatsAfter(proc, mark, 3);

    // gamma cycles; beta stopped (no new ticket while it was violated); kept's held ticket stays open.
    expect(byKey(db, "gamma/probe/e1").map((t) => t.status)).toEqual(["open"]);
    expect(byKey(db, "beta/probe/e1").map((t) => t.status)).toEqual(["resolved"]);
    expect(byKey(db, "kept/probe/e1").map((t) => [t.status, t.held])).toEqual([["open", 1]]);
    const [event] = query<{ actor: string; comment: string }>(
      db,
      "SELECT actor, comment FROM ticket_events WHERE ticket_id = ? AND kind = 'resolved'",
      beta?.id,
    );
    expect(event).toEqual({ actor: "monitor", comment: "removed from configuration" });
    // alpha's override applies to the same ticket; slow's grace period goes on from where it was.
    expect(byKey(db, "alpha/probe/e1").map((t) => [t.id, t.severity])).toEqual([[alpha?.id, "critical"]]);
    expect(byKey(db, "slow/probe/e1")).toEqual([]);
    expect(query(db, "SELECT pending_since FROM key_states WHERE key = ?", "slow/probe/e1")).toEqual([
      pending,
    ]);
    expect(query(db, "SELECT key FROM key_states WHERE subject IN ('beta', 'kept')")).toEqual([]);
    expect(await metric(base, "operator_config_last_reload_successful")).toBe(1);
    const reloadedAt = await metric(base, "operator_config_last_reload_success_timestamp_seconds");
    expect(reloadedAt).toBeGreaterThan(startedAt as number);
    expect(await metric(base, 'operator_open_tickets{severity="warning"}')).toBe(2);

    // A file that fails validation is refused: one line, the metric at 0, the daemon carries on.
    await writeFile(config, JSON.stringify({ pluginDir: ".", interval: "300ms", subjects: [] }));
    proc.child.kill("SIGHUP");
    const refused = await proc.waitForLine(/Reload refused/);
    expect(refused).toMatch(
      /Reload refused \(SIGHUP\): .*reload\.json.*subjects.*; still running the previous configuration/,
    );
    const afterRefusal = proc.stderr.length;
    await heartbeatsAfter(proc, afterRefusal, 2);
    expect(await metric(base, "operator_config_last_reload_successful")).toBe(0);
    expect(await metric(base, "operator_config_last_reload_success_timestamp_seconds")).toBe(reloadedAt);
    expect(
      proc.stderr.slice(afterRefusal).filter((l) => /Check complete: 3 invariants/.test(l)).length,
    ).toBeGreaterThan(0);

    // A setting that needs a restart is refused, naming it.
    await writeConfig(config, { alpha: { outcome: "violated" } }, { interval: "1s" });
    proc.child.kill("SIGHUP");
    await waitFor(
      () => proc.stderr.find((l) => /interval changed, which needs a restart/.test(l)),
      30_000,
      proc.transcript(),
    );
    expect(byKey(db, "gamma/probe/e1").map((t) => t.status)).toEqual(["open"]);

    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.stderr.at(-1)).toMatch(/Monitor loop stopped/);
  });

  it("without --config, SIGHUP logs that there is nothing to reload and the daemon runs on", async () => {
    const proc = start([
      "--pd",
      `http://127.0.0.1:${await closedPort()}`,
      "--interval",
      "300ms",
      "--db",
      join(dir, "flags.db"),
    ]);
    await heartbeatsAfter(proc, 0, 1);
    proc.child.kill("SIGHUP");
    await proc.waitForLine(/Received SIGHUP: nothing to reload, the daemon was started without --config/);
    await heartbeatsAfter(proc, proc.stderr.length, 1);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});

describe("SIGHUP during start-up", () => {
  it("is logged and ignored: the daemon starts and runs", async () => {
    // A plugin whose module takes 2 s to load, and leaves a marker once it has begun loading
    // (by then the start-up signal handlers are installed).
    const marker = join(dir, "slow-load.started");
    const root = join(dir, "node_modules", "@example", "slow-load");
    await mkdir(root, { recursive: true });
    await writeFile(
      join(root, "package.json"),
      JSON.stringify({
        name: "@example/slow-load",
        version: "1.0.0",
        type: "module",
        exports: { ".": { import: "./index.js" } },
      }),
    );
    await writeFile(
      join(root, "index.js"),
      `import { writeFileSync } from "node:fs";
writeFileSync(${JSON.stringify(marker)}, "");
await new Promise((resolve) => setTimeout(resolve, 2000));
export { default } from "@example/fake-subject";
`,
    );
    const config = join(dir, "slow.json");
    await writeFile(
      config,
      JSON.stringify({
        pluginDir: ".",
        interval: "300ms",
        subjects: [["@example/slow-load", { name: "slow" }]],
      }),
    );
    const proc = start(["--config", config, "--db", join(dir, "slow.db")]);
    await waitFor(() => (existsSync(marker) ? true : undefined), 30_000, proc.transcript());
    proc.child.kill("SIGHUP");
    await proc.waitForLine(/Received SIGHUP during start-up: ignored/);
    await proc.waitForLine(/Monitor loop started/);
    await heartbeatsAfter(proc, 0, 1);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});

describe("POST /-/reload", () => {
  it("with --enable-reload reloads (200) or refuses (400); browsers and other methods are turned away", async () => {
    const config = join(dir, "http.json");
    const db = join(dir, "http.db");
    await writeConfig(config, { alpha: { outcome: "ok" } });
    const proc = start(["--config", config, "--db", db, "--listen", "127.0.0.1:0", "--enable-reload"]);
    const started = await proc.waitForLine(/Monitor loop started/);
    const base = /metrics on (http:\/\/\S+)\/metrics/.exec(started)?.[1] as string;
    await writeConfig(config, { alpha: { outcome: "ok" }, beta: { outcome: "violated" } });
    const ok = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: "reloaded",
      message: expect.stringContaining("added beta"),
    });
    await waitFor(
      () => (byKey(db, "beta/probe/e1").length === 1 ? true : undefined),
      30_000,
      proc.transcript(),
    );

    await writeFile(config, "{ not json");
    const bad = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ status: "refused" });
    expect(await metric(base, "operator_config_last_reload_successful")).toBe(0);

    expect((await fetch(`${base}/-/reload`)).status).toBe(405);
    const cross = await fetch(`${base}/-/reload`, {
      method: "POST",
      headers: { origin: "http://evil.example" },
    });
    expect(cross.status).toBe(403);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  it("is off without --enable-reload (403), and --enable-reload without --listen is a usage error", async () => {
    const config = join(dir, "off.json");
    await writeConfig(config, { alpha: { outcome: "ok" } });
    const proc = start(["--config", config, "--db", join(dir, "off.db"), "--listen", "127.0.0.1:0"]);
    const started = await proc.waitForLine(/Monitor loop started/);
    const base = /metrics on (http:\/\/\S+)\/metrics/.exec(started)?.[1] as string;
    const off = await fetch(`${base}/-/reload`, { method: "POST" });
    expect(off.status).toBe(403);
    expect(await off.json()).toMatchObject({ message: expect.stringContaining("--enable-reload") });
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);

    const usage = await runCli(
      ["monitor", "--config", config, "--db", join(dir, "off.db"), "--enable-reload"],
      {
        cwd: dir,
      },
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("--enable-reload needs --listen");
  });
});

describe("orphaned tickets at start", () => {
  it("a restart without a subject resolves its tickets with the reason, one log line each", async () => {
    const config = join(dir, "start.json");
    const db = join(dir, "start.db");
    await writeConfig(config, { alpha: { outcome: "violated" }, beta: { outcome: "violated" } });
    const first = start(["--config", config, "--db", db]);
    await heartbeatsAfter(first, 0, 1);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const [beta] = byKey(db, "beta/probe/e1");

    await writeConfig(config, { alpha: { outcome: "violated" } });
    const second = start(["--config", config, "--db", db]);
    await heartbeatsAfter(second, 0, 1);
    const index = second.stderr.findIndex((l) =>
      l.includes(`Ticket ${beta?.id} resolved: beta/probe/e1 (removed from configuration)`),
    );
    expect(index, second.transcript()).toBeGreaterThanOrEqual(0);
    expect(index).toBeLessThan(second.stderr.findIndex((l) => /Monitor loop started/.test(l)));
    expect(byKey(db, "beta/probe/e1").map((t) => t.status)).toEqual(["resolved"]);
    expect(byKey(db, "alpha/probe/e1").map((t) => t.status)).toEqual(["open"]);
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
  });
});
