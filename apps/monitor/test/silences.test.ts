import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openTicketStore } from "@operator/db";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { seedTickets } from "./helpers/seed.ts";

let dir: string;
let db: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-silences-"));
  db = join(dir, "operator.db");
  await seedTickets(db, [
    {
      subject: "prod",
      invariant: "store_down",
      entity: "1",
      severity: "critical",
      message: "Store 1 is Down",
    },
    {
      subject: "prod",
      invariant: "store_down",
      entity: "2",
      severity: "critical",
      message: "Store 2 is Down",
    },
  ]);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli([...args, "--db", db], { env: { USER: "alice" } });

describe("operator silences", () => {
  it("adds, lists and expires a silence, recording who, when and why", async () => {
    const added = await cli(
      "silences",
      "add",
      "--match",
      "subject=prod",
      "--match",
      "entity=~[12]",
      "--for",
      "2h",
      "--comment",
      "rolling upgrade",
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe("1\n");

    const list = await cli("silences", "list", "--json");
    expect(list.code, list.stderr).toBe(0);
    const [silence] = JSON.parse(list.stdout);
    expect(silence).toMatchObject({
      id: 1,
      matchers: ["subject=prod", "entity=~[12]"],
      createdBy: "alice",
      comment: "rolling upgrade",
      expiredAt: null,
      state: "active",
    });
    const hours = (Date.parse(silence.endsAt) - Date.parse(silence.startsAt)) / 3_600_000;
    expect(hours).toBe(2);

    const text = await cli("silences", "list");
    expect(text.stdout).toMatch(/ID\s+STATE\s+MATCHERS/);
    expect(text.stdout).toContain("subject=prod entity=~[12]");

    const expired = await cli("silences", "expire", "1", "--by", "bob");
    expect(expired.code, expired.stderr).toBe(0);
    expect(expired.stdout).toMatch(/^Silence 1 ended at \S+Z by bob\n$/);
    expect(JSON.parse((await cli("silences", "list", "--json")).stdout)).toEqual([]);
    const all = JSON.parse((await cli("silences", "list", "--all", "--json")).stdout);
    expect(all).toMatchObject([{ id: 1, expiredBy: "bob", state: "expired" }]);
  });

  it("--until takes an ISO time, --by names the author, --json prints the silence", async () => {
    const until = new Date(Date.now() + 3_600_000).toISOString();
    const added = await cli(
      "silences",
      "add",
      "--match",
      "severity=critical",
      "--until",
      until,
      "--comment",
      "window",
      "--by",
      "carol",
      "--json",
    );
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ endsAt: until, createdBy: "carol", state: "active" });
  });

  it("refuses bad input with one clear message: exit 2 for a bad matcher or time, 1 for an unknown id", async () => {
    const cases: [string[], number, RegExp][] = [
      [["--match", "region=eu", "--for", "1h"], 2, /Unknown matcher name "region"/i],
      [["--match", "entity=~(", "--for", "1h"], 2, /not a valid regular expression/i],
      [["--match", "entity", "--for", "1h"], 2, /is not NAME=VALUE or NAME=~REGEX/i],
      [["--match", "entity=1", "--for", "soon"], 2, /Invalid --for: "soon"/i],
      [["--match", "entity=1"], 2, /exactly one of --for DURATION or --until TIME/i],
      [["--match", "entity=1", "--for", "1h", "--until", "2030-01-01T00:00:00Z"], 2, /exactly one of/i],
      [["--match", "entity=1", "--until", "tomorrow"], 2, /not an ISO 8601 time/i],
      [["--match", "entity=1", "--until", "2020-01-01T00:00:00Z"], 2, /not in the future/i],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli("silences", "add", ...args, "--comment", "why");
      expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    }
    const unknown = await cli("silences", "expire", "42");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No silence with id 42/i);
    expect(JSON.parse((await cli("silences", "list", "--all", "--json")).stdout)).toEqual([]);
  });

  it("escapes control characters of the comment and author in the table", async () => {
    const added = await cli(
      "silences",
      "add",
      "--match",
      "entity=1",
      "--for",
      "1h",
      "--comment",
      "a\u001b[31mb\nc",
    );
    expect(added.code, added.stderr).toBe(0);
    const text = await cli("silences", "list");
    expect(text.stdout).not.toContain("\u001b");
    expect(text.stdout).toContain("a\\x1b[31mb\\nc");
  });
});

describe("operator tickets list and silenced tickets", () => {
  it("shows silenced in JSON and as a badge, and filters with --silenced/--no-silenced", async () => {
    const store = openTicketStore(db);
    try {
      const [first] = (await store.listTickets()).tickets.filter((t) => t.entity === "1");
      await store.recordCycle(["prod"], () => ({
        upsertStates: [],
        deleteStates: [],
        identities: [],
        open: [],
        change: [
          {
            id: first?.id ?? 0,
            patch: { silenced: true },
            events: [
              { at: 1, actor: "monitor", kind: "silenced", from: null, to: null, comment: "silence 1" },
            ],
          },
        ],
        log: {
          id: "mark",
          startedAt: 1,
          finishedAt: 1,
          invariants: 1,
          violations: 0,
          unknown: 0,
          opened: 0,
          resolved: 0,
          failures: {},
        },
      }));
    } finally {
      store.close();
    }
    const all = JSON.parse((await cli("tickets", "list", "--json")).stdout);
    expect(all.map((t: { entity: string; silenced: boolean }) => [t.entity, t.silenced])).toEqual([
      ["2", false],
      ["1", true],
    ]);
    const silenced = JSON.parse((await cli("tickets", "list", "--silenced", "--json")).stdout);
    expect(silenced.map((t: { entity: string }) => t.entity)).toEqual(["1"]);
    const loud = JSON.parse((await cli("tickets", "list", "--no-silenced", "--json")).stdout);
    expect(loud.map((t: { entity: string }) => t.entity)).toEqual(["2"]);
    const table = (await cli("tickets", "list")).stdout;
    expect(table.split("\n").find((line) => line.includes("prod/store_down/1"))).toContain("silenced");
    expect(table.split("\n").find((line) => line.includes("prod/store_down/2"))).not.toContain("silenced");
    const show = JSON.parse((await cli("tickets", "show", "1", "--json")).stdout);
    expect(show.silenced ?? show.ticket?.silenced).toBe(true);
  });
});
