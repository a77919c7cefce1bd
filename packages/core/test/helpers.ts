import { DEFAULT_SETTINGS } from "../src/settings.ts";
import type { EntityResult, Invariant, ObserveContext, Subject } from "../src/subject.ts";

export { memoryLogger } from "../src/testing/memory-logger.ts";

/** An invariant over an observation that is simply the list of results. */
export const passThrough = (
  name = "inv",
  extra: Partial<Invariant<readonly EntityResult[]>> = {},
): Invariant<readonly EntityResult[]> => ({
  name,
  description: `Results as observed (${name})`,
  defaults: DEFAULT_SETTINGS,
  evaluate: (observation) => observation,
  ...extra,
});

/**
 * A subject whose observation is whatever `read` returns this time: results, an Error to throw, or
 * a promise the test controls. Counts calls and remembers the last context.
 */
export function scriptedSubject(
  read: (context: ObserveContext) => readonly EntityResult[] | Error | Promise<readonly EntityResult[]>,
  options: { name?: string; invariants?: Invariant<readonly EntityResult[]>[] } = {},
) {
  const calls: ObserveContext[] = [];
  let disposed = 0;
  const subject: Subject<readonly EntityResult[]> = {
    name: options.name ?? "db",
    kind: "test",
    invariants: options.invariants ?? [passThrough()],
    async observe(context) {
      calls.push(context);
      const value = await read(context);
      if (value instanceof Error) throw value;
      return value;
    },
    dispose() {
      disposed++;
    },
  };
  return { subject: subject as Subject, calls, disposed: () => disposed };
}

/** A promise that never settles (a plugin that ignores its abort signal). */
export const never = <T>() => new Promise<T>(() => {});
