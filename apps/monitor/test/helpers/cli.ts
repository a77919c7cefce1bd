import { type ChildProcess, execFile, spawn } from "node:child_process";
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const APP_DIR = fileURLToPath(new URL("../..", import.meta.url));
const BIN = join(APP_DIR, "bin.cjs");
const DIST_CLI = join(APP_DIR, "dist", "cli.cjs");
const SRC_CLI = join(APP_DIR, "src", "cli.ts");

/**
 * How tests start the CLI: the built `bin.cjs` (plain node, as users run it) when `dist/` here and in
 * every `@operator/*` dependency is at least as new as the sources, otherwise the sources through tsx. `./dev test` builds first, so CI
 * runs the real shim; a developer editing `src/` still tests what they edited.
 */
export const CLI_MODE: "dist" | "source" = _distIsFresh() ? "dist" : "source";

/** The node arguments that start `operator`, before its own arguments. */
export function cliCommand(): string[] {
  if (CLI_MODE === "dist") return [BIN];
  const tsx = import.meta.resolve("tsx");
  return ["--conditions=@operator/source", "--import", tsx, SRC_CLI];
}

/** How one run ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options for a CLI run. */
export interface RunOptions {
  /** Extra environment variables; `undefined` removes one. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/** The environment a test child gets: the parent's, minus anything that would change the CLI's behaviour. */
export function cliEnv(extra: RunOptions["env"] = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (
      /^(PD_ENDPOINT|PROMETHEUS_URL|PROMETHEUS_BEARER|PROMETHEUS_BASIC|PROMETHEUS_BIN|OPERATOR_|NO_COLOR|FORCE_COLOR|DEBUG$)/.test(
        name,
      )
    )
      delete env[name];
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `operator ...args` to completion; never rejects for a non-zero exit. */
export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...cliCommand(), ...args],
      {
        env: cliEnv(options.env),
        cwd: options.cwd ?? APP_DIR,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 << 20,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") reject(Object.assign(error, { stdout, stderr }));
        else resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/** A long-running `operator` process (the daemon) with its output captured line by line. */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  readonly exited: Promise<number | string>;
  /** Waits for a line on stderr (or stdout) matching `pattern`; rejects on timeout or exit. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** All output, for failure messages. */
  transcript(): string;
}

/** Starts `operator ...args` in the background. */
export function startCli(args: readonly string[], options: RunOptions = {}): CliProcess {
  const child = spawn(process.execPath, [...cliCommand(), ...args], {
    env: cliEnv(options.env),
    cwd: options.cwd ?? APP_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of waiters) waiter();
  };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    stdout.push(line);
    notify();
  });
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
    stderr.push(line);
    notify();
  });
  let ended = false;
  const exited = new Promise<number | string>((resolve) => {
    child.once("close", (code, signal) => {
      ended = true;
      notify();
      resolve(code ?? signal ?? "unknown");
    });
  });
  const transcript = () =>
    [...stderr.map((l) => `[stderr] ${l}`), ...stdout.map((l) => `[stdout] ${l}`)].join("\n");
  return {
    child,
    stdout,
    stderr,
    exited,
    transcript,
    waitForLine(pattern, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = [...stderr, ...stdout].find((l) => pattern.test(l));
          if (line !== undefined) finish(() => resolve(line));
          else if (ended)
            finish(() => reject(new Error(`exited before printing ${pattern}:\n${transcript()}`)));
        };
        const timer = setTimeout(
          () =>
            finish(() =>
              reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms:\n${transcript()}`)),
            ),
          timeoutMs,
        );
        const finish = (then: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          then();
        };
        waiters.add(check);
        check();
      });
    },
  };
}

// --- Internal helpers ---

/** True when this app's dist and every workspace dependency's dist are at least as new as their sources. */
function _distIsFresh(): boolean {
  if (process.env.OPERATOR_TEST_CLI === "source") return false;
  const manifest = JSON.parse(readFileSync(join(APP_DIR, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
  };
  const packages = [
    { root: APP_DIR, entry: DIST_CLI },
    ...Object.keys(manifest.dependencies)
      .filter((name) => name.startsWith("@operator/"))
      .map((name) => {
        const root = realpathSync(join(APP_DIR, "node_modules", name));
        return { root, entry: join(root, "dist", "index.js") };
      }),
  ];
  return packages.every(({ root, entry }) => {
    try {
      return _newest(join(root, "src")) <= statSync(entry).mtimeMs;
    } catch {
      return false;
    }
  });
}

function _newest(dir: string): number {
  return Math.max(
    0,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      return entry.isDirectory() ? _newest(path) : statSync(path).mtimeMs;
    }),
  );
}
