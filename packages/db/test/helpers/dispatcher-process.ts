import { type ChildProcess, spawn } from "node:child_process";
import { dirname } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const packageDir = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

/** A running dispatcher process (test/workers/dispatcher.ts). */
export interface DispatcherProcess {
  readonly child: ChildProcess;
  readonly stderr: string[];
  /** Resolves once it printed `ready`. */
  readonly ready: Promise<void>;
  /** Resolves once it exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the dispatcher worker from TypeScript source in its own Node process. */
export function startDispatcherProcess(path: string, url: string, concurrency: number): DispatcherProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--conditions=@operator/source",
      "test/workers/dispatcher.ts",
      path,
      url,
      String(concurrency),
    ],
    { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  const stderr: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (line) => {
      if ((JSON.parse(line) as { ready?: boolean }).ready) resolve();
    });
    void exited.then(() => reject(new Error(`dispatcher exited before it was ready: ${stderr.join("")}`)));
  });
  return { child, stderr, ready, exited };
}
