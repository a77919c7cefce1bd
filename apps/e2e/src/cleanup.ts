import type { ChildProcess } from "node:child_process";

type Cleanup = () => unknown;

const cleanups = new Set<Cleanup>();
const children = new Set<ChildProcess>();
let exitHookInstalled = false;

/**
 * Registers a teardown step. {@link runCleanups} runs every registered step, newest first, even when
 * some fail. Returns a function that unregisters the step (for teardown that already ran).
 */
export function onCleanup(cleanup: Cleanup): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Runs every registered teardown step, newest first. Errors are collected and rethrown together. */
export async function runCleanups(): Promise<void> {
  const steps = [...cleanups].reverse();
  cleanups.clear();
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} teardown steps failed`);
}

/**
 * Remembers a child process so that it is killed (SIGKILL) if the test process exits without tearing
 * it down, e.g. after a crash or a timeout: no daemon outlives the suite.
 */
export function trackChild(child: ChildProcess): void {
  children.add(child);
  child.once("exit", () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const orphan of children) orphan.kill("SIGKILL");
    });
  }
}
