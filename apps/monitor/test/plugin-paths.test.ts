import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageNameProblem } from "../src/load-subject.ts";
import { type CliResult, runCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";
import { closedPort } from "./helpers/net.ts";

let dir: string;
let marker: string;

/** Module source that leaves a marker file when it is loaded: it must never be. */
const evil = (path: string) =>
  `require("node:fs").writeFileSync(${JSON.stringify(path)}, "loaded");\nmodule.exports = () => { throw new Error("evil ran"); };\n`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-plugin-paths-"));
  marker = join(dir, "evil-ran");
  await writeFile(join(dir, "evil.cjs"), evil(marker));
  // A look-alike of the real TiKV plugin, planted next to the config file.
  const planted = join(dir, "node_modules", "@operator", "tikv");
  await mkdir(planted, { recursive: true });
  await writeFile(
    join(planted, "package.json"),
    JSON.stringify({ name: "@operator/tikv", version: "9.9.9", main: "index.js" }),
  );
  await writeFile(join(planted, "index.js"), evil(marker));
  // A third-party plugin, installed where pluginDir points, and one only next to the config file.
  await installFakePlugin(join(dir, "plugins"));
  await installFakePlugin(dir, "@example/next-to-config");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(name: string, content: Record<string, unknown>): Promise<CliResult> {
  const path = join(dir, name);
  await writeFile(path, JSON.stringify(content));
  return runCli(["check", "--no-db", "--config", path], { cwd: dir });
}

function expectRefused(result: CliResult, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(2);
  expect(result.stderr.trimEnd().split("\n")).toEqual([expect.stringMatching(pattern)]);
  expect(existsSync(marker)).toBe(false);
}

describe("subjects name packages, never paths", () => {
  it.each([
    "./evil.cjs",
    "../evil.cjs",
    "evil.cjs/../../x",
    "/tmp/evil.cjs",
    "node:fs",
    "fs",
    "@operator/tikv/dist/index.js",
    "file:///tmp/evil.cjs",
    "C:\\evil.cjs",
  ])("refuses %s with exit 2 and runs nothing", async (name) => {
    const subject = name === "/tmp/evil.cjs" ? join(dir, "evil.cjs") : name;
    const result = await check("path.json", { subjects: [[subject, { name: "x" }]] });
    expectRefused(
      result,
      /^operator: .*subjects\[0\]: ".*" is (a path, not a package name|not a package name|a Node\.js built-in module): subjects name an installed plugin package/,
    );
  });

  it("packageNameProblem accepts plain and scoped names only", () => {
    expect(packageNameProblem("@operator/tikv")).toBeNull();
    expect(packageNameProblem("operator-plugin-redis")).toBeNull();
    expect(packageNameProblem("./x")).toMatch(/path/);
    expect(packageNameProblem("@scope/name/sub")).toMatch(/not a package name/);
  });
});

describe("where plugins are resolved from", () => {
  it("a node_modules next to the config file is ignored: the real @operator/tikv gets the options", async () => {
    const pdUrl = `http://127.0.0.1:${await closedPort()}`;
    const result = await check("planted.json", { subjects: [["@operator/tikv", { name: "prod", pdUrl }]] });
    expect(result.code, result.stderr).toBe(3);
    expect(existsSync(marker)).toBe(false);
  });

  it("a plugin only next to the config file is not found, and the message says how to install one", async () => {
    const result = await check("next.json", { subjects: [["@example/next-to-config", { name: "x" }]] });
    expectRefused(result, /cannot be found .*npm install --prefix <pluginDir> @example\/next-to-config/);
  });

  it("pluginDir (relative to the config file) loads a third-party plugin from its node_modules", async () => {
    const result = await check("plugin-dir.json", {
      pluginDir: "plugins",
      subjects: [["@example/fake-subject", { name: "edge", outcome: "violated" }]],
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toContain("edge/probe/e1");
  });

  it("pluginDir does not reach into node_modules of its parent directories", async () => {
    const result = await check("parent.json", {
      pluginDir: "plugins",
      subjects: [["@example/next-to-config", { name: "x" }]],
    });
    expectRefused(
      result,
      /cannot be found \(looked in .*plugins\/node_modules, operator's own installation\)/,
    );
  });
});
