/**
 * Holds a database's daemon lock until killed, for the daemon-lock tests; the handle is dropped at
 * once, as a careless caller would.
 *   lock-holder.ts <db path> [--gc]
 * Prints `{"locked":true,"pid":N}` once it holds the lock; with `--gc` (and node --expose-gc) it then
 * collects garbage and prints `{"collected":true}`.
 */
import { acquireDaemonLock } from "../../src/index.ts";

const [path, gc] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: lock-holder.ts <db path> [--gc]");
acquireDaemonLock(path);
process.stdout.write(`${JSON.stringify({ locked: true, pid: process.pid })}\n`);
if (gc === "--gc") {
  setTimeout(() => {
    (globalThis as { gc?: () => void }).gc?.();
    setTimeout(() => process.stdout.write(`${JSON.stringify({ collected: true })}\n`), 100);
  }, 100);
}
setInterval(() => undefined, 60_000);
