import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSubject, resolvePackage } from "../src/load-subject.ts";
import { installFakePlugin, installNotAPlugin } from "./helpers/fake-plugin.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-plugin-"));
  await installFakePlugin(dir);
  await installNotAPlugin(dir);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const spec = (packageName: string, options: Record<string, unknown>, resolveFrom = [dir]) => ({
  packageName,
  options,
  resolveFrom,
  origin: "config.json subjects[0]",
});

describe("loadSubject", () => {
  it("loads an ESM-only third-party plugin by package name from a plugin directory (pluginDir)", async () => {
    const subject = await loadSubject(spec("@example/fake-subject", { name: "edge", outcome: "violated" }));
    expect(subject.name).toBe("edge");
    expect(subject.kind).toBe("fake");
    expect(subject.invariants.map((i) => i.name)).toEqual(["probe"]);
    const observation = await subject.observe({
      signal: new AbortController().signal,
      deadline: Date.now() + 1000,
    });
    expect(subject.invariants[0]?.evaluate(observation, subject.invariants[0].defaults)).toEqual([
      expect.objectContaining({ entity: "e1", outcome: "violated" }),
    ]);
  });

  it("resolves workspace plugins from the app itself", () => {
    expect(resolvePackage("@operator/tikv", [])).toMatch(/^file:.*packages\/tikv\//);
  });

  it("names the package when it cannot be found", async () => {
    await expect(loadSubject(spec("@example/absent", { name: "x" }))).rejects.toThrow(
      /config\.json subjects\[0\]: subject package @example\/absent cannot be found/,
    );
  });

  it("refuses a package whose default export is not a factory", async () => {
    await expect(loadSubject(spec("@example/not-a-plugin", { name: "x" }))).rejects.toThrow(
      /@example\/not-a-plugin is not a subject plugin/,
    );
  });

  it("turns a factory's own error into a ConfigError naming the subject and package", async () => {
    const error = await loadSubject(spec("@example/fake-subject", {})).catch((e: Error) => e);
    expect(error).toMatchObject({ name: "ConfigError" });
    expect((error as Error).message).toMatch(
      /subjects\[0\] \(@example\/fake-subject\): Missing required option `name`/,
    );
  });
});
