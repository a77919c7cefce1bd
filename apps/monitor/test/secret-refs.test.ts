import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redact } from "../src/redact.ts";
import { MAX_SECRET_FILE_BYTES, resolveSecretRefs } from "../src/secrets.ts";
import { runCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-secret-refs-"));
  await installFakePlugin(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("resolveSecretRefs", () => {
  it("replaces $env and $file references at any depth, in objects and arrays, and registers what it reads", async () => {
    await writeFile(join(dir, "api.key"), "key-from-file-5a6b7c\n");
    const options = {
      name: "prod",
      port: 9,
      auth: { headers: { "X-Api-Key": { $file: "api.key" } } },
      tokens: ["plain", { $env: "REF_TEST_TOKEN" }],
    };
    const resolved = resolveSecretRefs(
      options,
      dir,
      { REF_TEST_TOKEN: "env-token-1d2e3f" },
      "c.json subjects[0]",
    );
    expect(resolved).toEqual({
      name: "prod",
      port: 9,
      auth: { headers: { "X-Api-Key": "key-from-file-5a6b7c" } },
      tokens: ["plain", "env-token-1d2e3f"],
    });
    expect(redact("sent key-from-file-5a6b7c and env-token-1d2e3f")).toBe("sent [redacted] and [redacted]");
    expect(options.auth.headers["X-Api-Key"]).toEqual({ $file: "api.key" });
  });

  it("names the option path when a variable is unset or empty", () => {
    const at = (env: NodeJS.ProcessEnv) => () =>
      resolveSecretRefs({ a: { list: [0, { b: { $env: "MISSING_VAR" } }] } }, dir, env, "c.json subjects[1]");
    expect(at({})).toThrow(ConfigError);
    expect(at({})).toThrow(
      "[operator] c.json subjects[1].a.list[1].b: environment variable MISSING_VAR is not set (or is empty)",
    );
    expect(at({ MISSING_VAR: "" })).toThrow(/list\[1\]\.b: environment variable MISSING_VAR is not set/);
  });

  it("names the option path when a file is missing, empty or too large", async () => {
    await writeFile(join(dir, "empty"), "\n");
    await writeFile(join(dir, "huge"), "x".repeat(MAX_SECRET_FILE_BYTES + 1));
    const at = (file: string) => () =>
      resolveSecretRefs({ token: { $file: file } }, dir, {}, "c.json subjects[0]");
    expect(at("nope")).toThrow(
      `c.json subjects[0].token: cannot read secret file ${join(dir, "nope")} (ENOENT)`,
    );
    expect(at("empty")).toThrow(`c.json subjects[0].token: secret file ${join(dir, "empty")} is empty`);
    expect(at("huge")).toThrow(/subjects\[0\]\.token: secret file .*huge is larger than 64 KiB/);
  });

  it("refuses a reference with other keys or a non-string target", () => {
    expect(() => resolveSecretRefs({ t: { $env: "A", extra: 1 } }, dir, { A: "value" }, "c")).toThrow(
      'c.t: a secret reference has exactly one key, "$env" or "$file" (found $env, extra)',
    );
    expect(() => resolveSecretRefs({ t: { $file: 3 } }, dir, {}, "c")).toThrow(
      "c.t.$file must be a file path",
    );
  });
});

describe("secret references in a config file, through the CLI", () => {
  it("gives any plugin's options their values from $env and $file, and never prints them", async () => {
    const fromFile = "probe-message-secret-8c7b6a";
    const fromEnv = "probe-message-secret-from-env-4d3c";
    await writeFile(join(dir, "message.txt"), `${fromFile}\n`);
    const config = join(dir, "refs.json");
    await writeFile(
      config,
      JSON.stringify({
        pluginDir: ".",
        subjects: [
          ["@example/fake-subject", { name: "a", outcome: "violated", message: { $file: "message.txt" } }],
          ["@example/fake-subject", { name: "b", outcome: "violated", message: { $env: "PROBE_MESSAGE" } }],
        ],
      }),
    );
    const result = await runCli(["check", "--no-db", "--config", config, "--json"], {
      env: { PROBE_MESSAGE: fromEnv },
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout + result.stderr).not.toContain(fromFile);
    expect(result.stdout + result.stderr).not.toContain(fromEnv);
    const messages = JSON.stringify(JSON.parse(result.stdout)).match(/"message":"[^"]*"/g) ?? [];
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(new Set(messages)).toEqual(new Set(['"message":"[redacted]"']));
  });

  it("a missing variable is a usage error naming the option", async () => {
    const config = join(dir, "missing.json");
    await writeFile(
      config,
      JSON.stringify({
        pluginDir: ".",
        subjects: [["@example/fake-subject", { name: "a", deep: { token: { $env: "NOT_SET_ANYWHERE" } } }]],
      }),
    );
    const result = await runCli(["check", "--no-db", "--config", config]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `operator: ${config} subjects[0].deep.token: environment variable NOT_SET_ANYWHERE is not set (or is empty)\n`,
    );
  });
});
