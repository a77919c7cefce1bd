import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "./helpers/cli.ts";
import { seedTickets } from "./helpers/seed.ts";

const LIMIT = /too long \(at most 2147483647 ms, about 24\.8 days/;
let dir: string;
let db: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-limits-"));
  db = join(dir, "tickets.db");
  await seedTickets(db, [
    {
      subject: "prod",
      invariant: "store_down",
      entity: "1",
      severity: "critical",
      message: "Store 1 is Down",
    },
  ]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Exit 2, one stderr line `operator: ...` matching `pattern`, nothing on stdout. */
function expectUsage(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(/^operator: /)]);
  expect(result.stderr).toMatch(pattern);
  expect(result.stdout).toBe("");
}

async function config(name: string, content: Record<string, unknown>): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(content));
  return path;
}

const PD = "http://127.0.0.1:9";

describe.concurrent("durations longer than timers can hold are refused wherever they are read", () => {
  it.each([
    ["--interval", "30d"],
    ["--interval", "10000000000d"],
    ["--interval", "2147483648"],
    ["--deadline", "10000000000d"],
  ])("monitor %s %s", async (flag, value) => {
    const database = join(dir, `never-${value}.db`);
    const result = await runCli(["monitor", "--pd", PD, "--db", database, flag, value]);
    expectUsage(result, new RegExp(`invalid ${flag}: "${value}" is ${LIMIT.source}`));
    expect(existsSync(database)).toBe(false);
  });

  it("check --deadline 30d", async () => {
    expectUsage(await runCli(["check", "--no-db", "--pd", PD, "--deadline", "30d"]), LIMIT);
  });

  it("fractions of a millisecond", async () => {
    expectUsage(
      await runCli(["monitor", "--pd", PD, "--interval", "1.5ms"]),
      /"1\.5ms" is not a whole number of milliseconds/,
    );
  });

  it("interval, deadline and flap window in the config file, as text or milliseconds", async () => {
    const subjects = [["@operator/tikv", { name: "x", pdUrl: PD }]];
    for (const [name, content] of [
      ["interval.json", { interval: "25d", subjects }],
      ["interval-ms.json", { interval: 2 ** 31, subjects }],
      ["deadline.json", { deadline: 1e300, subjects }],
      ["window.json", { flap: { window: "30d" }, subjects }],
    ] as const) {
      expectUsage(await runCli(["monitor", "--config", await config(name, content)]), LIMIT);
    }
  });

  it("invariant for/clear overrides of a subject", async () => {
    const path = await config("override.json", {
      subjects: [["@operator/tikv", { name: "x", pdUrl: PD, invariants: { store_down: { for: "30d" } } }]],
    });
    expectUsage(
      await runCli(["check", "--no-db", "--config", path]),
      /x\.invariants\.store_down\.for: "30d" is too long/,
    );
    const clear = await config("override-clear.json", {
      subjects: [
        ["@operator/tikv", { name: "x", pdUrl: PD, invariants: { store_down: { clear: 2 ** 32 } } }],
      ],
    });
    expectUsage(await runCli(["check", "--no-db", "--config", clear]), LIMIT);
  });
});

describe.concurrent("numbers on the command line", () => {
  it.each(["1001", "5000"])("tickets list --limit %s is above the maximum", async (limit) => {
    expectUsage(
      await runCli(["tickets", "list", "--limit", limit, "--db", db]),
      new RegExp(`invalid --limit "${limit}" \\(expected a whole number, from 1 to 1000\\)`),
    );
  });

  it("tickets list --limit 1000 is the maximum", async () => {
    const result = await runCli(["tickets", "list", "--json", "--limit", "1000", "--db", db]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toHaveLength(1);
  });

  it.each(["1e3", "0x10", "1.0", "-1", "0", " "])("--unreachable-after %j is refused", async (value) => {
    expectUsage(
      await runCli(["monitor", "--pd", PD, "--unreachable-after", value]),
      /invalid --unreachable-after ".*" \(expected a whole decimal number of cycles, 1 or more\)/,
    );
  });
});
