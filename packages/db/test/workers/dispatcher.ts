/**
 * A dispatcher process for the crash test: delivers the outbox of `<db path>` to the webhook-like
 * receiver at `<url>` (POST JSON, `Idempotency-Key` header) until killed (SIGKILL) or stopped (SIGTERM).
 *   dispatcher.ts <db path> <url> <concurrency>
 * Prints `{"ready":true}` once started and `{"stopped":true}` after a clean stop.
 */
import { createDispatcher } from "@operator/core";
import { openTicketStore } from "../../src/index.ts";
import { hookNotifier } from "../helpers/hook-notifier.ts";

const [path, url, concurrencyArg] = process.argv.slice(2);
if (path === undefined || url === undefined)
  throw new Error("usage: dispatcher.ts <db path> <url> <concurrency>");

const hook = hookNotifier(url);

const store = openTicketStore(path, { busyTimeoutMs: 20_000 });
const dispatcher = createDispatcher({
  store,
  notifiers: [hook],
  concurrency: Number(concurrencyArg ?? 4),
  pollIntervalMs: 20,
  timeoutMs: 5_000,
  backoff: { initialMs: 20, maxMs: 200 },
});
await dispatcher.start();
const out = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
out({ ready: true, pid: process.pid });
process.on("SIGTERM", () => {
  void dispatcher.stop().then(() => {
    store.close();
    out({ stopped: true });
    process.exit(0);
  });
});
