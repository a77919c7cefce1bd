import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-cli-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Asserts a failure: the exit code, exactly one stderr line starting `operator: `, matching `pattern`. */
function expectOneLineError(
  result: { code: number; stderr: string; stdout: string },
  code: number,
  pattern: RegExp,
) {
  const lines = result.stderr.trimEnd().split("\n");
  expect(result.code, result.stderr).toBe(code);
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^operator: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).toBe("");
}

describe.concurrent("help and version", () => {
  const commands = [
    [],
    ["monitor"],
    ["check"],
    ["tickets"],
    ["tickets", "list"],
    ["tickets", "show"],
    ["tickets", "ack"],
    ["tickets", "diagnose"],
    ["tickets", "resolve"],
    ["tickets", "hold"],
    ["tickets", "unhold"],
  ];
  it.each(commands.map((c) => [c.join(" ") || "(top level)", c]))(
    "--help on %s prints usage on stdout and exits 0",
    async (_, args) => {
      const result = await runCli([...(args as string[]), "--help"]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toMatch(/^Usage: operator/);
      expect(result.stderr).toBe("");
    },
  );

  it("documents the exit codes in the top-level help", async () => {
    const result = await runCli(["--help"]);
    for (const code of ["0", "1", "2", "3", "4", "70"])
      expect(result.stdout).toMatch(new RegExp(`^  ${code} +\\S`, "m"));
  });

  it("--version prints the package version", async () => {
    const result = await runCli(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^operator \d+\.\d+\.\d+/);
  });
});

describe.concurrent("usage errors exit 2 with one line", () => {
  it("unknown flag", async () => {
    expectOneLineError(await runCli(["tickets", "list", "--bogus"]), 2, /unknown option '--bogus'/);
  });

  it("unknown command", async () => {
    expectOneLineError(await runCli(["frobnicate"]), 2, /unknown command 'frobnicate'/);
  });

  it("no command prints help on stderr", async () => {
    const result = await runCli([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Usage: operator/);
    expect(result.stdout).toBe("");
  });

  it("bad --interval", async () => {
    expectOneLineError(
      await runCli(["monitor", "--pd", "http://127.0.0.1:9", "--interval", "abc", "--db", join(dir, "x.db")]),
      2,
      /invalid --interval: "abc"/i,
    );
  });

  it("zero --interval", async () => {
    expectOneLineError(
      await runCli(["monitor", "--pd", "http://127.0.0.1:9", "--interval", "0s"]),
      2,
      /--interval/,
    );
  });

  it("malformed --pd URL", async () => {
    expectOneLineError(await runCli(["monitor", "--pd", "not a url"]), 2, /invalid --pd URL "not a url"/i);
  });

  it("malformed PD_ENDPOINT from the environment", async () => {
    expectOneLineError(
      await runCli(["check"], { env: { PD_ENDPOINT: "ftp://x" } }),
      2,
      /only http and https/,
    );
  });

  it("--prometheus without --pd", async () => {
    expectOneLineError(
      await runCli(["check", "--prometheus", "http://127.0.0.1:9"]),
      2,
      /--prometheus needs --pd/,
    );
  });

  it("check without any cluster", async () => {
    expectOneLineError(
      await runCli(["check"]),
      2,
      /no cluster named: pass --pd URL \(or set PD_ENDPOINT\) or --config FILE .*`operator monitor --demo` runs a demo/,
    );
  });

  it("bad --listen", async () => {
    expectOneLineError(
      await runCli(["monitor", "--pd", "http://127.0.0.1:9", "--listen", "nope"]),
      2,
      /invalid --listen "nope"/i,
    );
  });

  it("bad --log-format", async () => {
    expectOneLineError(await runCli(["monitor", "--log-format", "xml"]), 2, /--log-format/);
  });

  it("bad ticket id", async () => {
    expectOneLineError(await runCli(["tickets", "show", "abc"]), 2, /invalid ticket id "abc"/i);
  });

  it("bad --status value", async () => {
    expectOneLineError(
      await runCli(["tickets", "list", "--status", "open,closed"]),
      2,
      /invalid --status "closed"/i,
    );
  });

  it("missing diagnosis text", async () => {
    expectOneLineError(
      await runCli(["tickets", "diagnose", "1", "--db", join(dir, "none.db")]),
      2,
      /diagnosis text/,
    );
  });
});

describe.concurrent("configuration errors exit 2 naming the problem", () => {
  const write = async (name: string, content: unknown) => {
    const path = join(dir, name);
    await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
    return path;
  };

  it("missing config file", async () => {
    expectOneLineError(
      await runCli(["check", "--config", join(dir, "absent.json")]),
      2,
      /config file .*absent\.json does not exist/i,
    );
  });

  it("config file that is not JSON", async () => {
    const path = await write("broken.json", "{ subjects: [");
    expectOneLineError(await runCli(["check", "--config", path]), 2, /broken\.json is not valid JSON/);
  });

  it("config file without subjects", async () => {
    const path = await write("empty.json", { interval: "10s" });
    expectOneLineError(await runCli(["check", "--config", path]), 2, /empty\.json is invalid: subjects/);
  });

  it("config file with an unknown key", async () => {
    const path = await write("typo.json", { intervall: "10s", subjects: [["@operator/tikv", {}]] });
    expectOneLineError(await runCli(["check", "--config", path]), 2, /Unrecognized key: "intervall"/);
  });

  it("subject that is not a [package, options] pair", async () => {
    const path = await write("pair.json", { subjects: [["@operator/tikv"]] });
    expectOneLineError(await runCli(["check", "--config", path]), 2, /pair\.json is invalid: subjects\[0\]/);
  });

  it("plugin package that cannot be found", async () => {
    const path = await write("missing-plugin.json", {
      subjects: [["@example/not-installed", { name: "x" }]],
    });
    expectOneLineError(
      await runCli(["check", "--config", path]),
      2,
      /subject package @example\/not-installed cannot be found/,
    );
  });

  it("bad interval in the config file", async () => {
    const path = await write("interval.json", {
      interval: "soon",
      subjects: [["@operator/tikv", { name: "x" }]],
    });
    expectOneLineError(await runCli(["monitor", "--config", path]), 2, /invalid interval: "soon"/i);
  });

  it("--pd together with --config", async () => {
    const path = await write("both.json", { subjects: [["@operator/tikv", { name: "x" }]] });
    expectOneLineError(
      await runCli(["check", "--config", path, "--pd", "http://127.0.0.1:9"]),
      2,
      /--pd cannot be combined with --config/,
    );
  });

  it("flap thresholds core refuses, before any database is created", async () => {
    const path = await write("flap.json", {
      db: "flap.db",
      flap: { startPercent: 10, stopPercent: 20 },
      subjects: [["@operator/tikv", { name: "x", pdUrl: "http://127.0.0.1:9" }]],
    });
    expectOneLineError(await runCli(["monitor", "--config", path]), 2, /invalid flap option: percents/i);
    expect(existsSync(join(dir, "flap.db"))).toBe(false);
  });

  it("missing secret file", async () => {
    const path = await write("secret.json", {
      subjects: [
        [
          "@operator/tikv",
          { name: "x", pdUrl: "http://127.0.0.1:9", prometheus: { bearerTokenFile: "nope.txt" } },
        ],
      ],
    });
    expectOneLineError(await runCli(["check", "--config", path]), 2, /cannot read secret file .*nope\.txt/);
  });
});
