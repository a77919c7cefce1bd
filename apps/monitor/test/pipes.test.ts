import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installFakePlugin } from "./helpers/fake-plugin.ts";
import { runCliPiped } from "./helpers/pipe.ts";
import { seedTickets } from "./helpers/seed.ts";

const TICKETS = 1000;
const ENTITIES = 1500;
let dir: string;
let db: string;
let config: string;

/** A database whose full listing is about 5.6 MB of JSON, and a subject whose check prints several MB. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-pipes-"));
  db = join(dir, "operator.db");
  await seedTickets(
    db,
    Array.from({ length: TICKETS }, (_, i) => ({
      subject: "prod",
      invariant: "store_down",
      entity: String(i),
      severity: "critical" as const,
      message: `Store ${i} is down: ${"x".repeat(5000)}`,
    })),
  );
  await installFakePlugin(dir);
  config = join(dir, "big.json");
  await writeFile(
    config,
    JSON.stringify({
      pluginDir: ".",
      subjects: [
        [
          "@example/fake-subject",
          { name: "big", outcome: "violated", entities: ENTITIES, message: `slow ${"y".repeat(1500)}` },
        ],
      ],
    }),
  );
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("output through a real pipe", () => {
  it("tickets list --json delivers all of a multi-megabyte listing to a reader that starts late", async () => {
    const result = await runCliPiped(
      ["tickets", "list", "--json", "--all", "--limit", String(TICKETS), "--db", db],
      "(sleep 1; cat)",
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(5_000_000);
    const tickets = JSON.parse(result.stdout) as { id: number }[];
    expect(tickets).toHaveLength(TICKETS);
    expect(tickets.at(-1)?.id).toBe(1);
  });

  it("check --json delivers the whole document, several MB, with its exit code", async () => {
    const result = await runCliPiped(["check", "--no-db", "--json", "--config", config], "(sleep 1; cat)");
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout.length).toBeGreaterThan(2_000_000);
    const report = JSON.parse(result.stdout) as { status: string; findings: unknown[] };
    expect(report.status).toBe("violated");
    expect(report.findings).toHaveLength(ENTITIES);
  });

  it("a reader that leaves early (| head) ends the output quietly with the command's own exit code", async () => {
    for (const args of [
      ["tickets", "list", "--all", "--limit", String(TICKETS), "--db", db],
      ["tickets", "list", "--json", "--all", "--limit", String(TICKETS), "--db", db],
    ]) {
      const result = await runCliPiped(args, "head -c 100");
      expect(result.stdout).toHaveLength(100);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
    }
    const check = await runCliPiped(["check", "--no-db", "--json", "--config", config], "head -c 100");
    expect(check.stderr).not.toMatch(/internal error|EPIPE/);
    expect(check.code).toBe(1);
  });
});
