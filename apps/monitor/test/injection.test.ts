import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";
import { seedTickets } from "./helpers/seed.ts";

const ESC = "\u001b";
/** Text that, printed raw, clears the screen, sets the window title and forges a heartbeat log line. */
const FORGED = `\n2026-01-01T00:00:00.000Z info  Check complete: 3 invariants, all passing${ESC}[2J${ESC}]0;owned\u0007`;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|error) /;

let dir: string;
let db: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-injection-"));
  db = join(dir, "operator.db");
  await installFakePlugin(dir);
  await seedTickets(db, [
    {
      subject: "prod",
      invariant: "store_down",
      entity: `4${ESC}[31m`,
      severity: "critical",
      message: `Store 10.0.1.4:20160${FORGED} is Down \u202eevil\u202c`,
    },
  ]);
  const by = `mallory${ESC}[2J${FORGED}`;
  for (const args of [
    ["ack", "1", "--by", by, "--comment", `looking${FORGED}`],
    ["diagnose", "1", `disk full${FORGED}`, "--by", by],
  ]) {
    const result = await runCli(["tickets", ...args, "--db", db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(RAW);
    expect(result.stdout.trimEnd().split("\n")).toHaveLength(1);
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("hostile text in tickets", () => {
  it("tickets list prints one escaped line per ticket", async () => {
    const result = await runCli(["tickets", "list", "--db", db], { env: { FORCE_COLOR: "0" } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(RAW);
    const lines = result.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain("prod/store_down/4\\x1b[31m");
    expect(lines[1]).toContain("20160\\n2026-01-01T00:00:00.000Z info  Check complete");
    expect(lines[1]).toContain("\\x1b[2J\\x1b]0;owned\\x07");
    expect(lines[1]).toContain("\\u202eevil\\u202c");
  });

  it("tickets show escapes message, entity, actor, comment and diagnosis", async () => {
    const result = await runCli(["tickets", "show", "1", "--db", db]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).not.toMatch(RAW);
    const lines = result.stdout.split("\n");
    expect(lines.filter((line) => line.includes("Check complete")).length).toBeGreaterThanOrEqual(4);
    expect(lines.filter((line) => line.trim().startsWith("2026-01-01T00:00:00.000Z"))).toEqual([]);
    expect(result.stdout).toMatch(/Diagnosis +disk full\\n2026-01-01T00:00:00\.000Z info {2}Check complete/);
    expect(result.stdout).toContain("by mallory\\x1b[2J\\n2026");
  });

  it("--json keeps the exact text, JSON-escaped, never raw", async () => {
    const list = await runCli(["tickets", "list", "--json", "--db", db]);
    const show = await runCli(["tickets", "show", "1", "--json", "--db", db]);
    for (const result of [list, show]) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).not.toMatch(RAW);
      expect(result.stdout).toContain("\\u001b[2J");
      expect(result.stdout).toContain("\\u202eevil");
    }
    const [ticket] = JSON.parse(list.stdout) as { message: string; entity: string; diagnosis: string }[];
    expect(ticket?.message).toBe(`Store 10.0.1.4:20160${FORGED} is Down \u202eevil\u202c`);
    expect(ticket?.entity).toBe(`4${ESC}[31m`);
    expect(ticket?.diagnosis).toBe(`disk full${FORGED}`);
    const detail = JSON.parse(show.stdout) as { events: { actor: string; comment: string | null }[] };
    expect(detail.events.map((e) => e.actor)).toContain(`mallory${ESC}[2J${FORGED}`);
    expect(detail.events.map((e) => e.comment)).toContain(`looking${FORGED}`);
  });
});

describe("hostile text from a subject", () => {
  const config = async (name: string, options: Record<string, unknown>) => {
    const path = join(dir, `${name}.json`);
    await writeFile(
      path,
      JSON.stringify({ pluginDir: ".", subjects: [["@example/fake-subject", { name: "edge", ...options }]] }),
    );
    return path;
  };

  it("check prints a violation message and an unknown reason on one escaped line each", async () => {
    const violated = await runCli([
      "check",
      "--no-db",
      "--config",
      await config("v", { outcome: "violated", message: `down${FORGED}` }),
    ]);
    const unknown = await runCli([
      "check",
      "--no-db",
      "--config",
      await config("u", { outcome: "unknown", reason: `gone${FORGED}` }),
    ]);
    expect(violated.code, violated.stderr).toBe(1);
    expect(unknown.code, unknown.stderr).toBe(3);
    for (const result of [violated, unknown]) {
      expect(result.stdout + result.stderr).not.toMatch(RAW);
      expect(result.stdout.split("\n").filter((line) => /all passing/.test(line))).toHaveLength(1);
      expect(result.stdout).toContain(
        "\\n2026-01-01T00:00:00.000Z info  Check complete: 3 invariants, all passing\\x1b[2J",
      );
    }
  });

  it("an error text cannot forge a log line: one event is one line, in text and in JSON", async () => {
    const path = await config("e", { outcome: "unreachable", errorMessage: `refused${FORGED}` });
    const text = await runCli(["check", "--no-db", "--config", path]);
    expect(text.code).toBe(3);
    expect(text.stderr).not.toMatch(RAW);
    const lines = text.stderr.trimEnd().split("\n");
    expect(
      lines.every((line) => LOG_LINE.test(line)),
      text.stderr,
    ).toBe(true);
    expect(lines.filter((line) => line.includes("all passing"))).toHaveLength(1);
    expect(text.stderr).toContain("refused\\n2026-01-01T00:00:00.000Z");
    const json = await runCli(["check", "--no-db", "--log-format", "json", "--config", path]);
    expect(json.stderr).not.toMatch(RAW);
    const events = json.stderr
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as { msg: string });
    expect(events.some((event) => event.msg.includes(`refused${FORGED}`))).toBe(true);
  });
});
