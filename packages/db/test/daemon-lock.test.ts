import { type ChildProcess, spawn } from "node:child_process";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { acquireDaemonLock, DaemonRunningError, DatabaseOpenError, openTicketStore } from "../src/index.ts";
import { cycle, testClock } from "./helpers/store.ts";
import { tempDbPath, tempDir } from "./helpers/temp.ts";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
});

/** Starts a process that takes the daemon lock of `path`; resolves once it holds it. */
async function holder(path: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=@operator/source", "test/workers/lock-holder.ts", path],
    { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
  );
  children.push(child);
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once("line", () => resolve());
    child.once("close", (code) => reject(new Error(`lock holder exited ${code}: ${stderr}`)));
  });
  return child;
}

function refusal(path: string): DaemonRunningError {
  try {
    acquireDaemonLock(path).release();
  } catch (error) {
    if (error instanceof DaemonRunningError) return error;
    throw error;
  }
  throw new Error("the lock was granted");
}

describe("the daemon lock", () => {
  it("refuses a second holder at once, naming the pid and host of the first, with how to take over", async () => {
    const path = tempDbPath();
    const child = await holder(path);
    const err = refusal(path);
    expect(err.holder).toMatchObject({ pid: child.pid, host: hostname() });
    expect(err.message).toContain(`pid ${child.pid} on host ${hostname()}`);
    expect(err.message).toContain(`${path}.lock`);
    expect(err.message).toMatch(/stop that one first/);
  });

  it("is released when its holder is killed with SIGKILL, every time", async () => {
    const path = tempDbPath();
    for (let i = 0; i < 5; i++) {
      const child = await holder(path);
      expect(refusal(path).holder?.pid).toBe(child.pid);
      child.kill("SIGKILL");
      await new Promise((resolve) => child.once("close", resolve));
      const lock = acquireDaemonLock(path);
      lock.release();
    }
  });

  it("is released by release(), and a second acquire in one process is refused too", () => {
    const path = tempDbPath();
    const lock = acquireDaemonLock(path);
    expect(refusal(path).holder?.pid).toBe(process.pid);
    lock.release();
    lock.release();
    acquireDaemonLock(path).release();
  });

  it("leaves the ticket database free for other writers (the CLI)", async () => {
    const path = tempDbPath();
    const lock = acquireDaemonLock(path);
    const clock = testClock();
    const store = openTicketStore(path, { now: clock.now });
    expect((await cycle(store, clock, ["prod/store_down/1"])).opened).toHaveLength(1);
    store.close();
    lock.release();
  });

  it("names the missing directory instead of the lock file", () => {
    const path = join(tempDir(), "missing", "operator.db");
    expect(() => acquireDaemonLock(path)).toThrow(DatabaseOpenError);
    expect(() => acquireDaemonLock(path)).toThrow(/directory .*missing does not exist/);
  });
});

describe("the daemon lock's lifetime", () => {
  it("outlives its handle: a lock whose handle is dropped is still held after garbage collection", async () => {
    const path = tempDbPath();
    const child = spawn(
      process.execPath,
      [
        "--expose-gc",
        "--import",
        "tsx",
        "--conditions=@operator/source",
        "test/workers/lock-holder.ts",
        path,
        "--gc",
      ],
      { cwd: packageDir, stdio: ["ignore", "pipe", "pipe"] },
    );
    children.push(child);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    await new Promise<void>((resolve) => lines.on("line", (line) => line.includes("collected") && resolve()));
    expect(refusal(path).holder?.pid).toBe(child.pid);
  });
});
