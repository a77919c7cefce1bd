/**
 * A monitor-like writer process for the multi-process tests, planning with core's real `planCycle`.
 *   writer.ts <db path> <entities> <always|random> [seed]
 * Subjects `w0`..`w2`, invariants `store_down` and `high_latency`, `entities` entities each. It opens
 * the store, prints `{"ready":true}`, then runs cycles until killed (SIGKILL) or asked to stop
 * (SIGTERM). After each commit it prints one JSON line with the ids it opened and resolved.
 * `always`: every store_down key is violated every cycle (recurrences; reopens after a person resolves).
 * `random`: a {@link TestWorld} with flips, unknowns and unreadable subjects (opens, resolves, flapping).
 */
import type { EntityResult } from "@operator/core";
import { openTicketStore } from "../../src/index.ts";
import { realPlan, type SubjectView, TestWorld } from "../helpers/real-planner.ts";

const [path, entitiesArg, mode, seedArg] = process.argv.slice(2);
if (path === undefined || entitiesArg === undefined || (mode !== "always" && mode !== "random")) {
  throw new Error("usage: writer.ts <db path> <entities> <always|random> [seed]");
}
const entities = Number(entitiesArg);
const subjects = ["w0", "w1", "w2"];
const world = new TestWorld(subjects, entities, 0.2, Number(seedArg ?? 1));
const down: EntityResult[] = Array.from({ length: entities }, (_, e) => ({
  entity: String(e),
  outcome: "violated",
  message: `store ${e} is Down`,
  values: { state: "Down" },
}));
const allDown = (): Record<string, SubjectView> =>
  Object.fromEntries(subjects.map((s) => [s, { store_down: down, high_latency: [] }]));

const store = openTicketStore(path, { busyTimeoutMs: 20_000 });
let stopping = false;
process.on("SIGTERM", () => {
  stopping = true;
});
const out = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
out({ ready: true, pid: process.pid });

// A clock 50 times faster than the wall clock, so grace periods pass, and monotonic across writers.
const fast = () => Date.now() * 50 - 49 * Date.UTC(2026, 0, 1);
let n = 0;
let at = fast();
while (!stopping) {
  at = Math.max(at + 1000, fast());
  const views = mode === "always" ? allDown() : world.next();
  const result = await store.recordCycle(subjects, realPlan(`${process.pid}-${n}`, at, views));
  n++;
  out({ cycle: n, opened: result.opened.map((t) => t.id), resolved: result.resolved.map((t) => t.id) });
  await new Promise((resolve) => setImmediate(resolve));
}
store.close();
out({ stopped: true, cycles: n });
