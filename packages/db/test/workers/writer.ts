/**
 * A monitor-like writer process for the multi-process tests. Usage:
 *   writer.ts <db path> <keys> <mode> [seed]
 * It opens the store, prints `{"ready":true}`, then runs cycles until killed (SIGKILL) or asked to
 * stop (SIGTERM). After each commit it prints one JSON line with the ids it opened and resolved.
 * mode `always`: every key is violated every cycle (recurrences; reopens after someone resolves).
 * mode `random`: each key is violated or ok at random each cycle (opens, recurrences, resolves).
 */
import { openTicketStore } from "../../src/index.ts";
import { simplePlan } from "../helpers/planner.ts";

const [path, keyCountArg, mode, seedArg] = process.argv.slice(2);
if (path === undefined || keyCountArg === undefined || (mode !== "always" && mode !== "random")) {
  throw new Error("usage: writer.ts <db path> <keys> <always|random> [seed]");
}
const keyCount = Number(keyCountArg);
const keys = Array.from({ length: keyCount }, (_, i) => `w${i % 3}/inv/${i}`);
const subjects = ["w0", "w1", "w2"];
let seed = Number(seedArg ?? 1) >>> 0 || 1;
const random = () => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};

const store = openTicketStore(path, { busyTimeoutMs: 20_000 });
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});
const out = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
out({ ready: true, pid: process.pid });

let n = 0;
let at = Date.now();
while (!stopping) {
  at += 1000;
  const violated = new Map<string, number>();
  const ok: string[] = [];
  for (const key of keys) {
    if (mode === "always" || random() < 0.5) violated.set(key, n);
    else ok.push(key);
  }
  const result = await store.recordCycle(
    subjects,
    simplePlan({ cycleId: `${process.pid}-${n}`, at, violated, ok }),
  );
  n++;
  out({ cycle: n, opened: result.opened.map((t) => t.id), resolved: result.resolved.map((t) => t.id) });
  await new Promise((resolve) => setImmediate(resolve));
}
store.close();
out({ stopped: true, cycles: n });
