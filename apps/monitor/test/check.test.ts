import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { installFakePlugin, installNotAPlugin } from "./helpers/fake-plugin.ts";
import { closedPort } from "./helpers/net.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-check-"));
  await installFakePlugin(dir);
  await installNotAPlugin(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Writes a config file in the temp dir with one fake subject per outcome, and returns its path. */
async function config(name: string, ...outcomes: string[]): Promise<string> {
  const path = join(dir, `${name}.json`);
  const subjects = outcomes.map((outcome, i) => [
    "@example/fake-subject",
    { name: `fake-${i + 1}`, outcome },
  ]);
  await writeFile(path, JSON.stringify({ pluginDir: ".", subjects }));
  return path;
}

describe.concurrent("operator check with a third-party plugin loaded by package name", () => {
  it("exits 0 and says all passing when every invariant holds", async () => {
    const result = await runCli(["check", "--no-db", "--config", await config("ok", "ok", "ok")]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^OK {2}2 invariants checked in \S+, all passing\n$/);
  });

  it("exits 1 and lists the violation", async () => {
    const result = await runCli(["check", "--no-db", "--config", await config("violated", "ok", "violated")]);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toMatch(/^OUTCOME\s+SEVERITY\s+KEY\s+DETAIL\n/);
    expect(result.stdout).toMatch(/violated\s+warning\s+fake-2\/probe\/e1\s+probe failed on e1/);
    expect(result.stdout).toMatch(/1 violated, 0 unknown/);
  });

  it("exits 3 when a result is unknown and nothing is violated", async () => {
    const result = await runCli(["check", "--no-db", "--config", await config("unknown", "ok", "unknown")]);
    expect(result.code, result.stdout).toBe(3);
    expect(result.stdout).toMatch(/unknown\s+warning\s+fake-2\/probe\/e1\s+probe unreadable/);
  });

  it("exits 3 when a subject cannot be read", async () => {
    const result = await runCli(["check", "--no-db", "--config", await config("unreachable", "unreachable")]);
    expect(result.code, result.stdout).toBe(3);
    expect(result.stdout).toContain("fake subject unreachable");
  });

  it("exits 1 when something is violated even if something else is unknown", async () => {
    const result = await runCli([
      "check",
      "--no-db",
      "--config",
      await config("mixed", "unknown", "violated"),
    ]);
    expect(result.code).toBe(1);
  });

  it("--json prints the documented object", async () => {
    const result = await runCli([
      "check",
      "--no-db",
      "--json",
      "--config",
      await config("json", "violated", "unknown"),
    ]);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report)).toEqual([
      "status",
      "exitCode",
      "cycleId",
      "startedAt",
      "durationMs",
      "invariants",
      "violations",
      "unknown",
      "failures",
      "findings",
      "opened",
      "resolved",
    ]);
    expect(report).toMatchObject({
      status: "violated",
      exitCode: 1,
      invariants: 2,
      violations: 1,
      unknown: 1,
      failures: {},
    });
    expect(report.startedAt).toMatch(/^\d{4}-\d{2}-\d{2}T.*Z$/);
    expect(report.findings).toEqual([
      {
        key: "fake-1/probe/e1",
        subject: "fake-1",
        invariant: "probe",
        entity: "e1",
        outcome: "violated",
        severity: "warning",
        message: "probe failed on e1",
        reason: null,
      },
      {
        key: "fake-2/probe/e1",
        subject: "fake-2",
        invariant: "probe",
        entity: "e1",
        outcome: "unknown",
        severity: "warning",
        message: null,
        reason: "probe unreadable",
      },
    ]);
  });

  it("records the cycle in the database unless --no-db", async () => {
    const db = join(dir, "check.db");
    const path = await config("record", "violated");
    const first = await runCli(["check", "--config", path, "--db", db, "--json"]);
    expect(first.code, first.stderr).toBe(1);
    expect(JSON.parse(first.stdout).opened).toEqual([
      expect.objectContaining({ key: "fake-1/probe/e1", status: "open" }),
    ]);
    const listed = await runCli(["tickets", "list", "--json", "--db", db]);
    expect(JSON.parse(listed.stdout).map((t: { key: string }) => t.key)).toEqual(["fake-1/probe/e1"]);
    const memory = join(dir, "never.db");
    expect((await runCli(["check", "--config", path, "--db", memory, "--no-db"])).code).toBe(1);
    expect(existsSync(memory)).toBe(false);
  });

  it("refuses a package that is not a subject plugin with exit 2", async () => {
    const path = join(dir, "not-plugin.json");
    await writeFile(
      path,
      JSON.stringify({ pluginDir: ".", subjects: [["@example/not-a-plugin", { name: "x" }]] }),
    );
    const result = await runCli(["check", "--config", path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^operator: .*@example\/not-a-plugin is not a subject plugin/);
  });

  it("refuses two subjects with the same name", async () => {
    const path = join(dir, "dupe.json");
    const subject = ["@example/fake-subject", { name: "same" }];
    await writeFile(path, JSON.stringify({ pluginDir: ".", subjects: [subject, subject] }));
    const result = await runCli(["check", "--config", path, "--no-db"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/subject name "same" is already used/);
  });

  it("exits 3 against an unreachable PD with the TiKV plugin", async () => {
    const port = await closedPort();
    const result = await runCli(["check", "--no-db", "--pd", `http://127.0.0.1:${port}`, "--json"]);
    expect(result.code, result.stderr).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.status).toBe("unknown");
    expect(Object.keys(report.failures)).toEqual(["tikv"]);
  });
});
