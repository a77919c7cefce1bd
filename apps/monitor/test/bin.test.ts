import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { cliEnv } from "./helpers/cli.ts";

const run = promisify(execFile);
const APP = fileURLToPath(new URL("..", import.meta.url));

describe("bin.cjs", () => {
  it("explains how to build when dist/ is missing, and exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "operator-bin-"));
    try {
      await copyFile(join(APP, "bin.cjs"), join(dir, "bin.cjs"));
      const error = await run(process.execPath, [join(dir, "bin.cjs"), "--version"], { env: cliEnv() }).catch(
        (e) => e,
      );
      expect(error.code).toBe(1);
      expect(error.stderr).toMatch(
        /^operator: not built yet: run `\.\/dev` \(or `pnpm install && pnpm build`\)/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync(join(APP, "dist", "cli.cjs")))("runs the built CLI with plain node", async () => {
    const { stdout } = await run(process.execPath, [join(APP, "bin.cjs"), "--version"], { env: cliEnv() });
    expect(stdout).toMatch(/^operator \d+\.\d+\.\d+\n$/);
  });
});
