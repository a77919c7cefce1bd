import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import { SMALL_HEAP_V8_FLAGS } from "../src/heap.ts";

it("the memory benchmark's worker applies the same V8 setting as the daemon", async () => {
  const child = await readFile(new URL("../../../scripts/bench/memory-child.mjs", import.meta.url), "utf8");
  expect(child).toMatch(/setFlagsFromString\(DAEMON_V8_FLAGS\)/);
  expect(/const DAEMON_V8_FLAGS = "([^"]*)";/.exec(child)?.[1]).toBe(SMALL_HEAP_V8_FLAGS);
});
