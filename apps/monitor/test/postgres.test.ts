import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestPostgres, type TestPostgres } from "@operator/db-postgres/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin, setOutcome } from "./helpers/fake-plugin.ts";
import { waitFor } from "./helpers/net.ts";
import { startWebhookReceiver } from "./helpers/receiver.ts";

const PASSWORD = "s3cret-pg-Passw0rd";
let server: TestPostgres;
let dir: string;

beforeAll(async () => {
  server = await startTestPostgres({ password: PASSWORD });
  dir = await mkdtemp(join(tmpdir(), "operator-pg-cli-"));
  await installFakePlugin(dir);
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function config(name: string, outcome: string): Promise<string> {
  const path = join(dir, `${name}.json`);
  const subjects = [["@example/fake-subject", { name: "fake", outcome }]];
  await writeFile(path, JSON.stringify({ pluginDir: ".", subjects }));
  return path;
}

/** The URL without its password. */
const shown = (url: string) => url.replace(`:${encodeURIComponent(PASSWORD)}@`, "@");
/** How the CLI shows a database: no user info (redacted), no password, no query. */
const where = (url: string) => url.slice(url.indexOf("@"));

describe("the CLI on a real PostgreSQL (--db postgres://...)", () => {
  it("check opens a ticket there, and tickets list/show/ack work on it", async () => {
    const db = await server.createDatabase("cli_tickets");
    const checked = await runCli(["check", "--db", db, "--config", await config("violated", "violated")]);
    expect(checked.code, checked.stderr).toBe(1);
    const listed = await runCli(["tickets", "list", "--json"], { env: { OPERATOR_DB: db } });
    expect(listed.code, listed.stderr).toBe(0);
    const tickets = JSON.parse(listed.stdout) as { id: number; key: string; status: string }[];
    expect(tickets.map((t) => [t.key, t.status])).toEqual([["fake/probe/e1", "open"]]);
    const id = String(tickets[0]?.id);
    const acked = await runCli(["tickets", "ack", id, "--by", "alice", "--db", db]);
    expect(acked.code, acked.stderr).toBe(0);
    const show = await runCli(["tickets", "show", id, "--json", "--db", db]);
    const detail = JSON.parse(show.stdout) as { status: string; events: { kind: string }[] };
    expect(detail.status).toBe("acknowledged");
    expect(detail.events.map((e) => e.kind)).toEqual(["opened", "acknowledged"]);
    const again = await runCli(["check", "--db", db, "--config", await config("ok", "ok")]);
    expect(again.code, again.stderr).toBe(0);
    const resolved = await runCli(["tickets", "list", "--status", "resolved", "--json", "--db", db]);
    expect((JSON.parse(resolved.stdout) as unknown[]).length).toBe(1);
  });

  it("takes the password from OPERATOR_DB_PASSWORD_FILE or PGPASSWORD when the URL has none", async () => {
    const db = shown(await server.createDatabase("cli_password"));
    await runCli([
      "check",
      "--db",
      `${db.replace("@", `:${PASSWORD}@`)}`,
      "--config",
      await config("pw", "violated"),
    ]);
    const file = join(dir, "db-password");
    await writeFile(file, `${PASSWORD}\n`, { mode: 0o600 });
    const fromFile = await runCli(["tickets", "list", "--db", db], {
      env: { OPERATOR_DB_PASSWORD_FILE: file },
    });
    expect(fromFile.code, fromFile.stderr).toBe(0);
    expect(fromFile.stdout).toMatch(/fake\/probe\/e1/);
    const fromEnv = await runCli(["tickets", "list", "--db", db], { env: { PGPASSWORD: PASSWORD } });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);
    expect(fromEnv.stdout).toMatch(/fake\/probe\/e1/);
  });

  it("a refused login exits 4, names the database and never prints the password", async () => {
    const db = shown(await server.createDatabase("cli_refused"));
    const wrong = db.replace("postgres@", "postgres:not-the-Passw0rd-x@");
    const result = await runCli(["tickets", "list", "--db", wrong]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(where(db));
    expect(result.stderr).toMatch(/login refused/);
    expect(result.stderr).not.toContain("not-the-Passw0rd-x");
  });

  it("refuses an unknown sslmode with one clear message", async () => {
    const db = await server.createDatabase("cli_sslmode");
    const result = await runCli(["tickets", "list", "--db", `${db}?sslmode=sometimes`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /unknown sslmode "sometimes"; use one of disable, allow, prefer, require, verify-ca, verify-full/,
    );
    expect(result.stderr).not.toContain(PASSWORD);
  });

  it("runs replicas on it: one leads and notifies, the other stands by and takes over when it stops", async () => {
    const db = await server.createDatabase("cli_daemon");
    const hook = await startWebhookReceiver();
    const outcomeFile = join(dir, "replicas.outcome");
    await setOutcome(outcomeFile, "violated");
    const cfg = join(dir, "replicas.json");
    await writeFile(
      cfg,
      JSON.stringify({
        pluginDir: ".",
        notify: [{ type: "webhook", url: hook.url }],
        subjects: [["@example/fake-subject", { name: "fake", outcomeFile }]],
      }),
    );
    const delivered = (event: string) => hook.requests.filter((r) => r.event === event && r.accepted);
    const args = ["monitor", "--db", db, "--config", cfg, "--interval", "500ms", "--listen", "127.0.0.1:0"];
    const base = (line: string) => /metrics on (http:\/\/\S+)\/metrics/.exec(line)?.[1] as string;
    const leaderOf = async (url: string) =>
      /operator_subject_leader\{subject="fake"\} (\d)/.exec(
        await (await fetch(`${url}/metrics`)).text(),
      )?.[1];
    const first = startCli(args);
    let second: ReturnType<typeof startCli> | undefined;
    try {
      const started = await first.waitForLine(/Monitor loop started/, 60_000);
      expect(started).toContain(where(db));
      await first.waitForLine(/Leading subject "fake" \(lease token 1\)/, 30_000);
      const standby = startCli(args);
      second = standby;
      await first.waitForLine(/opened .*fake\/probe\/e1/, 30_000);
      const standing = await standby.waitForLine(/Standing by for subject "fake": led by /, 60_000);
      expect(standing).toMatch(/led by [^:]+:\d+:[0-9a-f]{8}/);
      const [a, b] = [base(started), base(await standby.waitForLine(/Monitor loop started/))];
      expect(await leaderOf(a)).toBe("1");
      expect(await leaderOf(b)).toBe("0");
      const health = await fetch(`${b}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({
        status: "ok",
        role: "standby",
        subjects: { fake: "standby" },
      });
      expect(await (await fetch(`${a}/healthz`)).json()).toMatchObject({
        role: "leader",
        subjects: { fake: "leader" },
      });

      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(first.transcript()).toMatch(/Released the leases of "fake"/);
      await standby.waitForLine(/Leading subject "fake" \(lease token 2\)/, 10_000);
      await waitFor(
        async () => ((await leaderOf(b)) === "1" ? true : undefined),
        10_000,
        "gauge 1 on the new leader",
      );
      const heartbeats = () => standby.stderr.filter((l) => /Check complete: /.test(l)).length;
      const before = heartbeats();
      await waitFor(
        () => (heartbeats() >= before + 2 ? true : undefined),
        10_000,
        "cycles of the new leader",
      );
      const listed = await runCli(["tickets", "list", "--json", "--db", db]);
      const tickets = JSON.parse(listed.stdout) as { key: string; occurrenceCount: number }[];
      expect(tickets.map((t) => t.key)).toEqual(["fake/probe/e1"]);

      await setOutcome(outcomeFile, "ok");
      await waitFor(() => delivered("resolved")[0], 30_000, "the resolve notified");
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(delivered("opened")).toHaveLength(1);
      expect(delivered("resolved")).toHaveLength(1);
    } finally {
      first.child.kill("SIGTERM");
      second?.child.kill("SIGTERM");
      await Promise.all([first.exited, second?.exited]);
      await hook.close();
    }
    expect(first.transcript()).not.toContain(PASSWORD);
    expect(second?.transcript()).not.toContain(PASSWORD);
  });

  it("notifies through the daemon from the PostgreSQL outbox, and silences and notification status work on it", async () => {
    const db = await server.createDatabase("cli_notify");
    const hook = await startWebhookReceiver();
    const outcomeFile = join(dir, "notify.outcome");
    await setOutcome(outcomeFile, "violated");
    const cfg = join(dir, "notify.json");
    await writeFile(
      cfg,
      JSON.stringify({
        pluginDir: ".",
        db,
        interval: "300ms",
        notify: [{ type: "webhook", url: hook.url }],
        subjects: [["@example/fake-subject", { name: "s", outcomeFile }]],
      }),
    );
    const proc = startCli(["monitor", "--config", cfg], { cwd: dir });
    try {
      await proc.waitForLine(/Monitor loop started: .*notifying webhook/, 60_000);
      const sent = (event: string) => () => hook.requests.find((r) => r.event === event && r.accepted);
      const opened = await waitFor(sent("opened"), 30_000, "opened delivered");
      await setOutcome(outcomeFile, "ok");
      const resolved = await waitFor(sent("resolved"), 30_000, "resolved delivered");
      expect(opened.idempotencyKey).toMatch(/^webhook:\d+$/);
      expect(resolved.idempotencyKey).not.toBe(opened.idempotencyKey);
      const status = await runCli(["notifications", "status", "--json", "--db", db]);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout)).toEqual(
        expect.arrayContaining([expect.objectContaining({ channel: "webhook", failed: 0 })]),
      );
      const added = await runCli([
        "silences",
        "add",
        "--match",
        "subject=s",
        "--for",
        "1h",
        "--comment",
        "upgrade",
        "--db",
        db,
      ]);
      expect(added.code, added.stderr).toBe(0);
      const listed = await runCli(["silences", "list", "--db", db]);
      expect(listed.stdout).toMatch(/subject="?s"?/);
    } finally {
      proc.child.kill("SIGTERM");
      await proc.exited;
      await hook.close();
    }
    expect(proc.transcript()).not.toContain(PASSWORD);
  });
});
