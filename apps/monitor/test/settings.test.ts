import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "@operator/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunFlags, resolveRunSettings } from "../src/settings.ts";

let dir: string;
let config: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-settings-"));
  config = join(dir, "config.json");
  await writeFile(join(dir, "token"), "file-token-value\n");
  await writeFile(
    config,
    JSON.stringify({
      db: "state/operator.db",
      pluginDir: "plugins",
      interval: "10s",
      listen: "127.0.0.1:9464",
      logFormat: "json",
      flap: { startPercent: 40, window: "5m", onsets: 4 },
      subjects: [
        [
          "@operator/tikv",
          { name: "prod", pdUrl: "http://10.0.0.1:2379", prometheus: { bearerTokenFile: "token" } },
        ],
        ["@operator/tikv", { name: "staging", pdUrl: "http://10.0.0.2:2379" }],
        ["@example/other", { name: "other" }],
      ],
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resolves settings with `cli` flags given on the command line and `env` flags from the environment. */
const settings = (
  flags: RunFlags,
  sources: { cli?: (keyof RunFlags)[]; env?: (keyof RunFlags)[] } = {},
  env = {},
) =>
  resolveRunSettings(
    flags,
    (flag) => (sources.cli?.includes(flag) ? "cli" : sources.env?.includes(flag) ? "env" : undefined),
    env,
    "/work",
  );

describe("resolveRunSettings", () => {
  it("uses the config file over defaults, with paths relative to the file", async () => {
    const s = await settings({ config, db: "./operator.db" }, { cli: ["config"] });
    expect(s).toMatchObject({
      mode: "subjects",
      dbPath: join(dir, "state/operator.db"),
      intervalMs: 10_000,
      listen: { host: "127.0.0.1", port: 9464 },
      logFormat: "json",
      flap: { startPercent: 40, windowMs: 300_000, onsets: 4 },
    });
    expect(s.subjects.map((x) => x.options.name)).toEqual(["prod", "staging", "other"]);
    expect(s.subjects[0]?.options.prometheus).toEqual({ bearerToken: "file-token-value" });
    expect(s.subjects[0]?.resolveFrom).toEqual([join(dir, "plugins")]);
  });

  it("lets command-line flags and their environment variables override the file", async () => {
    const s = await settings(
      { config, db: "/elsewhere.db", interval: "500ms", logFormat: "text" },
      { cli: ["config", "interval", "logFormat"], env: ["db"] },
    );
    expect(s).toMatchObject({ dbPath: "/elsewhere.db", intervalMs: 500, logFormat: "text" });
  });

  it("applies environment credentials to @operator/tikv subjects without their own", async () => {
    const s = await settings({ config }, { cli: ["config"] }, { PROMETHEUS_BEARER_TOKEN: "env-token-value" });
    expect(s.subjects.map((x) => x.options.prometheus)).toEqual([
      { bearerToken: "file-token-value" },
      { bearerToken: "env-token-value" },
      undefined,
    ]);
  });

  it("builds one tikv subject from --pd, named by --name", async () => {
    const s = await settings(
      { pd: "http://pd:2379", prometheus: "http://prom:9090", name: "east", db: "./operator.db" },
      { cli: ["pd", "prometheus", "name"] },
    );
    expect(s.subjects).toEqual([
      {
        packageName: "@operator/tikv",
        options: { name: "east", pdUrl: "http://pd:2379", prometheusUrl: "http://prom:9090" },
        resolveFrom: [],
        origin: "--pd",
      },
    ]);
    expect(s).toMatchObject({
      dbPath: "/work/operator.db",
      intervalMs: 30_000,
      logFormat: "text",
      listen: undefined,
    });
  });

  it("ignores PD_ENDPOINT from the environment when a config file is given", async () => {
    const s = await settings({ config, pd: "http://ignored:2379" }, { cli: ["config"], env: ["pd"] });
    expect(s.subjects.map((x) => x.options.name)).toEqual(["prod", "staging", "other"]);
  });

  it("refuses to run when nothing names a cluster, as a usage error that names --demo", async () => {
    const error = await settings({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).category).toBe("usage");
    expect((error as Error).message).toMatch(/No cluster named: pass --pd URL .*--config FILE.*--demo/);
  });

  it("runs the demo only when --demo is given", async () => {
    expect((await settings({ demo: true }, { cli: ["demo"] })).mode).toBe("demo");
  });

  it("refuses a deadline that is not below the interval", async () => {
    await expect(
      settings(
        { pd: "http://pd:2379", interval: "5s", deadline: "5s" },
        { cli: ["pd", "interval", "deadline"] },
      ),
    ).rejects.toThrow(/deadline \(5s\) must be shorter than the interval \(5s\)/);
  });
});
