import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { SMALL_HEAP_V8_FLAGS } from "../src/heap.ts";

it("the memory benchmark's worker applies the same V8 setting as the daemon", async () => {
  const child = await readFile(new URL("../../../scripts/bench/memory-child.mjs", import.meta.url), "utf8");
  expect(child).toMatch(/setFlagsFromString\(DAEMON_V8_FLAGS\)/);
  expect(/const DAEMON_V8_FLAGS = "([^"]*)";/.exec(child)?.[1]).toBe(SMALL_HEAP_V8_FLAGS);
});

/** Allocates 100 MB of short-lived objects in a fresh node with `flags` applied at run time. */
async function youngGenerationMb(flags: string): Promise<number> {
  const script = `
    const v8 = require("node:v8");
    if (process.env.FLAGS) v8.setFlagsFromString(process.env.FLAGS);
    let keep = [];
    for (let i = 0; i < 2e6; i++) { keep.push({ i, s: "x" + i }); if (keep.length > 50000) keep = []; }
    const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === "new_space");
    console.log(young.space_size / 1048576);`;
  const { stdout } = await promisify(execFile)(process.execPath, ["-e", script], {
    env: { PATH: process.env.PATH, FLAGS: flags },
  });
  return Number(stdout.trim());
}

it("the setting, applied after start as the daemon does, keeps the young generation at its initial size", async () => {
  const grown = await youngGenerationMb("");
  const small = await youngGenerationMb(SMALL_HEAP_V8_FLAGS);
  expect(grown).toBeGreaterThan(8);
  expect(small).toBeLessThanOrEqual(2);
});
