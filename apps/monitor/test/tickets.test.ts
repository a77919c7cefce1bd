import { existsSync } from "node:fs";
import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { dumpDatabase, seedTickets } from "./helpers/seed.ts";

const TICKET_FIELDS = [
  "id",
  "key",
  "subject",
  "invariant",
  "entity",
  "severity",
  "status",
  "held",
  "flapping",
  "silenced",
  "message",
  "occurrenceCount",
  "firstSeenAt",
  "lastSeenAt",
  "resolvedAt",
  "resolvedBy",
  "acknowledgedAt",
  "acknowledgedBy",
  "diagnosis",
  "batchKey",
  "previousTicketId",
  "createdAt",
  "updatedAt",
  "runbook",
];
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const dirs: string[] = [];
let db: string;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), "operator-tickets-"));
  dirs.push(dir);
  db = join(dir, "operator.db");
  await seedTickets(db, [
    {
      subject: "prod",
      invariant: "store_down",
      entity: "4",
      severity: "critical",
      message: "Store 4 is Down",
      runbook: {
        hint: "Check the tikv-server process on store 4's host \u001b[31m",
        url: "https://runbooks.example/store_down",
      },
    },
    {
      subject: "prod",
      invariant: "low_disk_space",
      entity: "1",
      severity: "warning",
      message: "Store 1 has 4% free",
      runbook: { hint: "Free space on the store's data disk" },
    },
    {
      subject: "staging",
      invariant: "high_latency",
      entity: "2",
      severity: "warning",
      message: "p99 250ms on store 2",
    },
  ]);
});
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const cli = (...args: string[]) => runCli([...args, "--db", db], { env: { USER: "tester" } });
const listJson = async (...args: string[]) => {
  const result = await cli("tickets", "list", "--json", ...args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Record<string, unknown>[];
};

/** Runs a command that must fail, and checks its exit code, its one line, and that nothing changed. */
async function expectRefused(args: string[], code: number, pattern: RegExp) {
  const before = await dumpDatabase(db);
  const result = await cli(...args);
  expect(result.code, result.stderr).toBe(code);
  expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(pattern)]);
  expect(result.stdout).toBe("");
  expect(await dumpDatabase(db)).toEqual(before);
}

describe("tickets list", () => {
  it("prints a table, newest first", async () => {
    const result = await cli("tickets", "list");
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID\s+SEVERITY\s+STATUS\s+FLAGS\s+KEY\s+SEEN\s+LAST SEEN\s+MESSAGE$/);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(["3", "2", "1"]);
    expect(lines[3]).toMatch(
      /critical\s+open\s+-\s+prod\/store_down\/4\s+1\s+2026-01-02 03:04:05Z\s+Store 4 is Down$/,
    );
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("--json prints the documented schema with ISO 8601 times", async () => {
    const tickets = await listJson();
    expect(tickets).toHaveLength(3);
    for (const ticket of tickets) {
      expect(Object.keys(ticket)).toEqual(TICKET_FIELDS);
      expect(ticket.firstSeenAt).toMatch(ISO);
      expect(ticket.lastSeenAt).toMatch(ISO);
      expect(ticket.createdAt).toMatch(ISO);
      expect(ticket.resolvedAt).toBeNull();
    }
    expect(tickets[2]).toMatchObject({
      id: 1,
      key: "prod/store_down/4",
      subject: "prod",
      invariant: "store_down",
      entity: "4",
      severity: "critical",
      status: "open",
      held: false,
      flapping: false,
      silenced: false,
      message: "Store 4 is Down",
      occurrenceCount: 1,
      firstSeenAt: "2026-01-02T03:04:05.000Z",
      batchKey: "seed-1",
    });
  });

  it("--json carries each ticket's runbook hint: hint and url, hint alone, or null", async () => {
    const tickets = await listJson();
    expect(tickets.map((t) => t.runbook)).toEqual([
      null,
      { hint: "Free space on the store's data disk" },
      {
        hint: "Check the tikv-server process on store 4's host \u001b[31m",
        url: "https://runbooks.example/store_down",
      },
    ]);
    const raw = await cli("tickets", "list", "--json");
    expect(raw.stdout).not.toContain("\u001b[31m");
  });

  it("filters by severity, subject, status and held, and pages with --limit/--before", async () => {
    expect((await listJson("--severity", "critical")).map((t) => t.id)).toEqual([1]);
    expect((await listJson("--subject", "staging")).map((t) => t.id)).toEqual([3]);
    expect((await listJson("--status", "acknowledged")).map((t) => t.id)).toEqual([]);
    expect((await cli("tickets", "hold", "2")).code).toBe(0);
    expect((await listJson("--held")).map((t) => t.id)).toEqual([2]);
    expect((await listJson("--no-held")).map((t) => t.id)).toEqual([3, 1]);
    expect((await listJson("--limit", "2")).map((t) => t.id)).toEqual([3, 2]);
    expect((await listJson("--limit", "2", "--before", "2")).map((t) => t.id)).toEqual([1]);
    const paged = await cli("tickets", "list", "--limit", "2");
    expect(paged.stderr).toContain("--before 2");
  });

  it("hides resolved tickets unless --all", async () => {
    expect((await cli("tickets", "resolve", "1", "--comment", "replaced disk")).code).toBe(0);
    expect((await listJson()).map((t) => t.id)).toEqual([3, 2]);
    const all = await listJson("--all");
    expect(all.map((t) => t.id)).toEqual([3, 2, 1]);
    expect(all[2]).toMatchObject({
      status: "resolved",
      resolvedBy: "tester",
      resolvedAt: expect.stringMatching(ISO),
    });
  });

  it("colours only when asked, and never with NO_COLOR", async () => {
    const forced = await runCli(["tickets", "list", "--db", db], { env: { FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain("\u001b[31mcritical");
    const noColor = await runCli(["tickets", "list", "--db", db], {
      env: { FORCE_COLOR: "1", NO_COLOR: "1" },
    });
    expect(noColor.stdout).not.toContain("\u001b[");
    expect(noColor.stdout).toContain("critical");
  });

  it("says so when there are no tickets", async () => {
    const result = await cli("tickets", "list", "--subject", "nobody");
    expect(result).toMatchObject({ code: 0, stdout: "No tickets.\n" });
  });
});

describe("tickets show", () => {
  it("prints the ticket, its values and its events", async () => {
    const result = await cli("tickets", "show", "1");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Ticket 1 {2}prod\/store_down\/4\n/);
    expect(result.stdout).toMatch(/Status\s+open\n/);
    expect(result.stdout).toMatch(/First values\n\s+\{\n\s+"seeded": true/);
    expect(result.stdout).toMatch(
      /Events\n\s+TIME\s+ACTOR\s+EVENT\s+CHANGE\s+COMMENT\n\s+2026-01-02 03:04:05Z\s+monitor\s+opened\s+- -> open/,
    );
  });

  it("says what to check first, escaped, with the runbook's URL; nothing without a runbook", async () => {
    const result = await cli("tickets", "show", "1");
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "\nCheck first: Check the tikv-server process on store 4's host \\x1b[31m\n  https://runbooks.example/store_down\n",
    );
    expect(result.stdout).not.toContain("\u001b[");
    const hintOnly = await cli("tickets", "show", "2");
    expect(hintOnly.stdout).toContain("\nCheck first: Free space on the store's data disk\n\nFirst values");
    const none = await cli("tickets", "show", "3");
    expect(none.stdout).not.toContain("Check first");
    const json = JSON.parse((await cli("tickets", "show", "2", "--json")).stdout);
    expect(json.runbook).toEqual({ hint: "Free space on the store's data disk" });
  });

  it("--json adds values and events to the ticket schema", async () => {
    await cli("tickets", "ack", "1", "--by", "alice", "--comment", "looking");
    const result = await cli("tickets", "show", "1", "--json");
    const ticket = JSON.parse(result.stdout);
    expect(Object.keys(ticket)).toEqual([...TICKET_FIELDS, "firstValues", "lastValues", "events"]);
    expect(ticket.firstValues).toEqual({ seeded: true, entity: "4" });
    expect(ticket.events).toEqual([
      {
        id: expect.any(Number),
        at: "2026-01-02T03:04:05.000Z",
        actor: "monitor",
        kind: "opened",
        from: null,
        to: "open",
        comment: null,
      },
      {
        id: expect.any(Number),
        at: expect.stringMatching(ISO),
        actor: "alice",
        kind: "acknowledged",
        from: "open",
        to: "acknowledged",
        comment: "looking",
      },
    ]);
  });

  it("unknown id exits 1 and changes nothing", async () => {
    await expectRefused(["tickets", "show", "42"], 1, /^operator: no ticket with id 42$/);
  });
});

describe("ticket actions", () => {
  it("ack, diagnose, hold, unhold and resolve move the ticket and record who did it", async () => {
    const ack = await cli("tickets", "ack", "2", "--by", "alice");
    expect(ack).toMatchObject({
      code: 0,
      stdout: "Ticket 2 acknowledged by alice (now acknowledged): prod/low_disk_space/1\n",
    });
    const diagnose = await cli("tickets", "diagnose", "2", "disk filled by compaction backlog");
    expect(diagnose.code, diagnose.stderr).toBe(0);
    expect(diagnose.stdout).toContain("diagnosed by tester");
    const hold = await cli("tickets", "hold", "2", "--json");
    expect(JSON.parse(hold.stdout)).toMatchObject({
      id: 2,
      status: "diagnosed",
      held: true,
      diagnosis: "disk filled by compaction backlog",
    });
    expect((await cli("tickets", "unhold", "2")).stdout).toContain("unheld by tester (now diagnosed)");
    const text = await cli("tickets", "diagnose", "2", "--text", "second look: it was the WAL");
    expect(text.code, text.stderr).toBe(0);
    const resolve = await cli("tickets", "resolve", "2", "--by", "bob", "--comment", "expanded volume");
    expect(resolve.stdout).toContain("resolved by bob (now resolved)");
    const shown = JSON.parse((await cli("tickets", "show", "2", "--json")).stdout);
    expect(shown.events.map((e: { kind: string; actor: string }) => `${e.kind}:${e.actor}`)).toEqual([
      "opened:monitor",
      "acknowledged:alice",
      "diagnosed:tester",
      "held:tester",
      "unheld:tester",
      "diagnosed:tester",
      "resolved:bob",
    ]);
    expect(shown.events.at(-1).comment).toBe("expanded volume");
  });

  it("unknown id exits 1 with one line and changes nothing", async () => {
    await expectRefused(["tickets", "ack", "42"], 1, /^operator: no ticket with id 42$/);
    await expectRefused(["tickets", "resolve", "99", "--by", "x"], 1, /^operator: no ticket with id 99$/);
  });

  it("a refused transition names both states, exits 1 and changes nothing", async () => {
    expect((await cli("tickets", "resolve", "3")).code).toBe(0);
    await expectRefused(
      ["tickets", "ack", "3"],
      1,
      /^operator: ticket 3 cannot move from resolved to acknowledged$/,
    );
    await expectRefused(["tickets", "hold", "3"], 1, /^operator: ticket 3 is resolved/);
    expect((await cli("tickets", "ack", "1")).code).toBe(0);
    await expectRefused(["tickets", "ack", "1"], 1, /cannot move from acknowledged to acknowledged/);
  });

  it("a bad flag exits 2 and changes nothing", async () => {
    await expectRefused(
      ["tickets", "ack", "1", "--bogus"],
      2,
      /^operator: unknown option '--bogus' \(see: operator tickets ack --help\)$/,
    );
  });
});

describe("failed monitor and check runs", () => {
  it("leave the database unchanged", async () => {
    const dir = dirs[0] as string;
    const invalid = join(dir, "invalid.json");
    await writeFile(invalid, JSON.stringify({ subjects: [["@example/not-installed", { name: "x" }]] }));
    const before = await dumpDatabase(db);
    for (const [args, code] of [
      [["monitor", "--pd", "http://127.0.0.1:9", "--interval", "abc"], 2],
      [["monitor", "--pd", "nonsense"], 2],
      [["monitor", "--config", invalid], 2],
      [["monitor", "--config", join(dir, "absent.json")], 2],
      [["check", "--config", invalid], 2],
      [["check", "--pd", "http://127.0.0.1:9", "--bogus"], 2],
    ] as const) {
      const result = await cli(...args);
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(code);
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    }
    expect(await dumpDatabase(db)).toEqual(before);
  });
});

describe("database errors", () => {
  it("a missing database is reported, exits 4, and is not created", async () => {
    const missing = join(dirs[0] as string, "missing.db");
    for (const args of [
      ["tickets", "list"],
      ["tickets", "show", "1"],
      ["tickets", "ack", "1"],
    ]) {
      const result = await runCli([...args, "--db", missing]);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toMatch(/^operator: database .*missing\.db does not exist/);
      expect(existsSync(missing)).toBe(false);
    }
  });

  it("a file that is not a database exits 4 and is left as it was", async () => {
    const bogus = join(dirs[0] as string, "bogus.db");
    await writeFile(
      bogus,
      "this is not sqlite, just text that is long enough to have a header.....".repeat(10),
    );
    const before = await import("node:fs/promises").then((fs) => fs.readFile(bogus, "utf8"));
    for (const args of [
      ["tickets", "list"],
      ["tickets", "ack", "1"],
    ]) {
      const result = await runCli([...args, "--db", bogus]);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/not a SQLite database/)]);
    }
    expect(await import("node:fs/promises").then((fs) => fs.readFile(bogus, "utf8"))).toBe(before);
  });

  it("a database written by a newer version exits 4 for readers, writers and the daemon, and is not changed", async () => {
    const Database = _betterSqlite3();
    const handle = new Database(db);
    handle.exec("PRAGMA user_version = 999");
    handle.close();
    const before = await import("node:fs/promises").then((fs) => fs.readFile(db));
    for (const args of [
      ["tickets", "list"],
      ["tickets", "ack", "1"],
      ["monitor", "--pd", "http://127.0.0.1:9"],
    ]) {
      const result = await cli(...args);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trimEnd().split("\n")).toEqual([
        expect.stringMatching(/written by a newer version/),
      ]);
    }
    expect(await import("node:fs/promises").then((fs) => fs.readFile(db))).toEqual(before);
  });

  it("a database locked by another writer exits 4 after the busy timeout and stays unchanged", async () => {
    const before = await dumpDatabase(db);
    const Database = _betterSqlite3();
    const holder = new Database(db);
    holder.exec("BEGIN EXCLUSIVE");
    try {
      const result = await runCli(["tickets", "ack", "1", "--db", db]);
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr.trimEnd().split("\n")).toEqual([
        expect.stringMatching(/^operator: database .* is locked by another process/),
      ]);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect(await dumpDatabase(db)).toEqual(before);
  });

  it("--config (or OPERATOR_CONFIG) takes the database from the config file; --db wins", async () => {
    const dir = dirs.at(-1) as string;
    const config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({ db: "operator.db", subjects: [["@operator/tikv", { name: "x" }]] }),
    );
    const viaConfig = await runCli(["tickets", "list", "--json", "--config", config]);
    expect(viaConfig.code, viaConfig.stderr).toBe(0);
    expect(JSON.parse(viaConfig.stdout)).toHaveLength(3);
    const viaEnv = await runCli(["tickets", "ack", "1", "--by", "env"], { env: { OPERATOR_CONFIG: config } });
    expect(viaEnv.code, viaEnv.stderr).toBe(0);
    const override = await runCli([
      "tickets",
      "show",
      "1",
      "--config",
      config,
      "--db",
      join(dir, "other.db"),
    ]);
    expect(override.code).toBe(4);
    expect(override.stderr).toMatch(/other\.db does not exist/);
  });

  it("OPERATOR_DB selects the database", async () => {
    const copy = join(dirs[0] as string, "copy.db");
    await copyFile(db, copy);
    const result = await runCli(["tickets", "list", "--json"], { env: { OPERATOR_DB: copy } });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(3);
  });
});

/** better-sqlite3 as @operator/db resolves it (this app does not depend on it directly). */
function _betterSqlite3(): new (path: string) => { exec(sql: string): void; close(): void } {
  const db = createRequire(import.meta.url).resolve("@operator/db/package.json");
  return createRequire(db)("better-sqlite3");
}
