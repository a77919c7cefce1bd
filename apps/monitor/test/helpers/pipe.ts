import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CliResult, cliCommand, cliEnv, type RunOptions } from "./cli.ts";

/**
 * Runs `operator ...args` with its stdout connected by a real pipe (made by bash, as in
 * `operator check --json | jq`) to `reader`, a shell command reading stdin: `(sleep 1; cat)` for a
 * reader that starts late, `head -c 100` for one that leaves early. Returns the CLI's own exit code
 * and stderr, and as stdout whatever `reader` printed.
 */
export async function runCliPiped(
  args: readonly string[],
  reader: string,
  options: RunOptions = {},
): Promise<CliResult> {
  const dir = await mkdtemp(join(tmpdir(), "operator-pipe-"));
  const files = { OP_ERR: join(dir, "stderr"), OP_CODE: join(dir, "code"), OP_OUT: join(dir, "stdout") };
  const script = `"$@" 2>"$OP_ERR" | ${reader} >"$OP_OUT"; echo "\${PIPESTATUS[0]}" >"$OP_CODE"`;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        "bash",
        ["-c", script, "bash", process.execPath, ...cliCommand(), ...args],
        { env: { ...cliEnv(options.env), ...files }, cwd: options.cwd, timeout: options.timeoutMs ?? 90_000 },
        (error) => (error ? reject(error) : resolve()),
      );
    });
    return {
      code: Number((await readFile(files.OP_CODE, "utf8")).trim()),
      stdout: await readFile(files.OP_OUT, "utf8"),
      stderr: await readFile(files.OP_ERR, "utf8"),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
