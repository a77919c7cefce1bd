import { type ChildProcess, spawn } from "node:child_process";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const packageDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** One JSON line a writer printed. */
export type WriterLine =
  | { ready: true; pid: number }
  | { cycle: number; opened: number[]; resolved: number[] }
  | { stopped: true; cycles: number };

/** A running writer process (test/workers/writer.ts) and everything it has printed so far. */
export interface Writer {
  readonly child: ChildProcess;
  readonly lines: WriterLine[];
  readonly stderr: string[];
  /** Resolves with the exit code or signal once the process has exited and its output is read. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves once `predicate` holds for the lines printed (checked on every line). */
  until(predicate: (lines: readonly WriterLine[]) => boolean, timeoutMs?: number): Promise<void>;
}

/**
 * Starts the writer in its own Node process, running from TypeScript source through tsx's loader
 * (in-process, so a SIGKILL hits the process that writes).
 */
export function startWriter(path: string, entities: number, mode: "always" | "random", seed = 1): Writer {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@operator/source",
      "test/workers/writer.ts",
      path,
      String(entities),
      mode,
      String(seed),
    ],
    { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: WriterLine[] = [];
  const stderr: string[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
    lines.push(JSON.parse(line) as WriterLine);
    for (const wake of waiters) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => {
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  const until = (predicate: (lines: readonly WriterLine[]) => boolean, timeoutMs = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`writer did not get there in ${timeoutMs} ms; stderr: ${stderr.join("")}`));
      }, timeoutMs);
      const check = () => {
        if (predicate(lines)) {
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          waiters.delete(check);
          reject(new Error(`writer exited early; stderr: ${stderr.join("")}`));
        }
      };
      waiters.add(check);
      check();
    });
  return { child, lines, stderr, exited, until };
}

/** Cycles a writer has reported as committed. */
export function cycleLines(lines: readonly WriterLine[]): { opened: number[]; resolved: number[] }[] {
  return lines.filter((l): l is Extract<WriterLine, { cycle: number }> => "cycle" in l);
}
