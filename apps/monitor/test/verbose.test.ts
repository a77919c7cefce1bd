import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";

const TOKEN = "verbose-token-7e6d5c4b";
let dir: string;
let config: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-verbose-"));
  await installFakePlugin(dir);
  config = join(dir, "config.json");
  await writeFile(
    config,
    JSON.stringify({
      pluginDir: ".",
      interval: "1s",
      subjects: [
        ["@example/fake-subject", { name: "fake", outcome: "ok", auth: { token: { $env: "FAKE_TOKEN" } } }],
      ],
    }),
  );
});
afterEach(() => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("--verbose", () => {
  it("logs the settings as resolved at debug level, with secrets redacted", async () => {
    const result = await runCli(["--verbose", "check", "--no-db", "--config", config], {
      env: { FAKE_TOKEN: TOKEN },
    });
    expect(result.code, result.stderr).toBe(0);
    const line = result.stderr.split("\n").find((l) => / debug Settings as resolved: /.test(l));
    expect(line, result.stderr).toBeDefined();
    expect(line).toContain('"package":"@example/fake-subject"');
    expect(line).toContain('"auth":{"token":"[redacted]"}');
    expect(result.stderr + result.stdout).not.toContain(TOKEN);
  });

  it("writes no debug lines without it", async () => {
    const result = await runCli(["check", "--no-db", "--config", config], { env: { FAKE_TOKEN: TOKEN } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/ debug /);
  });

  it("logs each subject read's duration in the monitor, as JSON lines with level debug", async () => {
    const proc = startCli(
      ["monitor", "--verbose", "--config", config, "--db", join(dir, "verbose.db"), "--log-format", "json"],
      { env: { FAKE_TOKEN: TOKEN } },
    );
    running.push(proc);
    const line = await proc.waitForLine(/"msg":"Subject fake read in \d+ ms"/, 60_000);
    expect(JSON.parse(line)).toMatchObject({ level: "debug", subject: "fake" });
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    expect(proc.stderr.join("\n")).not.toContain(TOKEN);
  });
});
