import { openTicketStore, type SqliteTicketStore } from "../../src/index.ts";
import { simplePlan, type TestObservation } from "./planner.ts";
import { tempDbPath } from "./temp.ts";

/** A test clock: starts at a fixed time and moves only when told. */
export interface TestClock {
  now: () => number;
  advance(ms: number): number;
}

/** A clock starting at 2026-01-01T00:00:00Z. */
export function testClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** A store on a fresh file with a test clock; closed by the caller. */
export function freshStore(clock = testClock()): {
  store: SqliteTicketStore;
  path: string;
  clock: TestClock;
} {
  const path = tempDbPath();
  return { store: openTicketStore(path, { now: clock.now }), path, clock };
}

let cycleSeq = 0;

/** Runs one cycle of the simple test planner: `violated` keys (value 1 unless given) and `ok` keys. */
export function cycle(
  store: SqliteTicketStore,
  clock: TestClock,
  violated: readonly string[] | ReadonlyMap<string, number>,
  ok: readonly string[] = [],
  extra: Partial<TestObservation> = {},
) {
  const at = clock.advance(30_000);
  const map = Array.isArray(violated)
    ? new Map(violated.map((k) => [k, 1]))
    : (violated as Map<string, number>);
  const subjects = [...new Set([...map.keys(), ...ok].map((k) => k.slice(0, k.indexOf("/"))))];
  return store.recordCycle(
    subjects,
    simplePlan({ cycleId: `cycle-${++cycleSeq}`, at, violated: map, ok, ...extra }),
  );
}
