/**
 * Holds a database's daemon lock until killed, for the daemon-lock tests.
 *   lock-holder.ts <db path>
 * Prints `{"locked":true,"pid":N}` once it holds the lock.
 */
import { acquireDaemonLock } from "../../src/index.ts";

const [path] = process.argv.slice(2);
if (path === undefined) throw new Error("usage: lock-holder.ts <db path>");
acquireDaemonLock(path);
process.stdout.write(`${JSON.stringify({ locked: true, pid: process.pid })}\n`);
setInterval(() => undefined, 60_000);
