import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { trackChild } from "./cleanup.ts";
import { OPERATOR_BIN } from "./operator-cli.ts";
import { GiveUpError, waitFor } from "./wait.ts";

/** How to start `operator monitor`. */
export interface MonitorProcessOptions {
  /** The SQLite file the daemon writes. */
  readonly dbPath: string;
  /** A config file (`--config`), e.g. with invariant overrides. */
  readonly configPath?: string;
  /** `--pd`, when no config file names the cluster. */
  readonly pdUrl?: string;
  /** `--prometheus`, when no config file names it. */
  readonly prometheusUrl?: string;
  /** `--interval`. @default 1000 */
  readonly intervalMs?: number;
  /** Further arguments, appended as given. */
  readonly extraArgs?: readonly string[];
}

/** One line the daemon printed, with the stream and the time it arrived. */
export interface OutputLine {
  readonly stream: "stdout" | "stderr";
  readonly at: number;
  readonly text: string;
}

/** How the process ended. */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all. */
  readonly error?: Error;
}

/** A running `operator monitor` daemon. */
export interface MonitorProcess {
  readonly pid: number;
  readonly args: readonly string[];
  /** Everything printed so far, in arrival order. */
  readonly output: readonly OutputLine[];
  /** Settles when the process has exited. */
  readonly exited: Promise<ProcessExit>;
  /** How the process ended, once it has; `undefined` while it runs. */
  readonly exit: ProcessExit | undefined;
  /** Heartbeat lines (`Check complete: ...`) printed so far. */
  heartbeats(): OutputLine[];
  /** Waits until `count` more heartbeats than `after` have been printed; returns the newest. */
  waitForHeartbeat(options?: { after?: number; count?: number; timeoutMs?: number }): Promise<OutputLine>;
  /** Waits for a printed line matching `pattern`, looking at lines from index `from`. */
  waitForLine(pattern: RegExp, options?: { from?: number; timeoutMs?: number }): Promise<OutputLine>;
  /** Sends a signal. */
  signal(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves with how it ended. */
  stop(graceMs?: number): Promise<ProcessExit>;
  /** SIGKILL, like a crash or an OOM kill. Resolves once it is gone. */
  kill(): Promise<ProcessExit>;
  /** All output as text, for failure messages. */
  transcript(): string;
}

/** The pattern of a heartbeat line. */
export const HEARTBEAT = /Check complete: /;

/** When the cycle a heartbeat reports started: the line's arrival less the duration it ends with. */
export function cycleStartOf(heartbeat: OutputLine): number {
  const match = /Check complete: .*\((\d+)ms\)/.exec(heartbeat.text);
  if (!match) throw new Error(`Not a heartbeat with a duration: ${heartbeat.text}`);
  return heartbeat.at - Number(match[1]);
}

/** Starts `node apps/monitor/bin.cjs monitor ...` as a child process and captures its output by line. */
export function startMonitorProcess(options: MonitorProcessOptions): MonitorProcess {
  const args = [
    "monitor",
    "--db",
    options.dbPath,
    "--interval",
    `${options.intervalMs ?? 1000}ms`,
    ...(options.configPath ? ["--config", options.configPath] : []),
    ...(options.pdUrl ? ["--pd", options.pdUrl] : []),
    ...(options.prometheusUrl ? ["--prometheus", options.prometheusUrl] : []),
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(process.execPath, [OPERATOR_BIN, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  trackChild(child);
  const output: OutputLine[] = [];
  const capture = (stream: "stdout" | "stderr") => (text: string) =>
    output.push({ stream, at: Date.now(), text });
  if (child.stdout) createInterface({ input: child.stdout }).on("line", capture("stdout"));
  if (child.stderr) createInterface({ input: child.stderr }).on("line", capture("stderr"));
  const exited = _exitOf(child);
  let exit: ProcessExit | undefined;
  void exited.then((value) => {
    exit = value;
  });
  const transcript = () => output.map((line) => `[${line.stream}] ${line.text}`).join("\n");
  const untilExit = async (graceMs: number): Promise<ProcessExit | undefined> =>
    Promise.race([
      exited,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), graceMs).unref()),
    ]);

  const monitor: MonitorProcess = {
    pid: child.pid ?? -1,
    args,
    output,
    exited,
    get exit() {
      return exit;
    },
    heartbeats: () => output.filter((line) => HEARTBEAT.test(line.text)),
    async waitForHeartbeat({ after, count = 1, timeoutMs = 30_000 } = {}) {
      const base = after ?? monitor.heartbeats().length;
      return waitFor(
        () => {
          if (exit) throw new GiveUpError(`The daemon exited (${JSON.stringify(exit)}):\n${transcript()}`);
          const beats = monitor.heartbeats();
          return beats.length >= base + count ? beats.at(-1) : undefined;
        },
        { timeoutMs, intervalMs: 100, description: `${count} heartbeat(s) after #${base}` },
      );
    },
    async waitForLine(pattern, { from = 0, timeoutMs = 30_000 } = {}) {
      return waitFor(() => output.slice(from).find((line) => pattern.test(line.text)), {
        timeoutMs,
        intervalMs: 100,
        description: `a line matching ${pattern} from the daemon`,
      });
    },
    signal(signal) {
      if (!exit) child.kill(signal);
    },
    async stop(graceMs = 15_000) {
      monitor.signal("SIGTERM");
      const ended = await untilExit(graceMs);
      if (ended) return ended;
      child.kill("SIGKILL");
      return exited;
    },
    async kill() {
      monitor.signal("SIGKILL");
      return exited;
    },
    transcript,
  };
  return monitor;
}

// --- Internal helpers ---

function _exitOf(child: ChildProcess): Promise<ProcessExit> {
  return new Promise((resolve) => {
    child.once("error", (error) => resolve({ code: null, signal: null, error }));
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}
