import type { CyclePlan, CycleSnapshot, TicketStore } from "./deps.ts";

/** A ticket store that measures the time spent in its `recordCycle`. */
export interface TimedStore {
  readonly store: TicketStore;
  /** Milliseconds inside `recordCycle` since the last reset, minus the time the monitor spent planning. */
  dbMs(): number;
  /** Milliseconds the monitor's plan callbacks took since the last reset. */
  planMs(): number;
  reset(): void;
}

/**
 * Wraps `inner` so each `recordCycle` is timed. The monitor's plan callback runs inside the store's
 * transaction, so its time is measured separately and left out of the database time.
 */
export function timeStore(inner: TicketStore): TimedStore {
  let db = 0;
  let plan = 0;
  const recordCycle: TicketStore["recordCycle"] = async (subjects, decide) => {
    let planning = 0;
    const timedDecide = (snapshot: CycleSnapshot): CyclePlan => {
      const started = performance.now();
      try {
        return decide(snapshot);
      } finally {
        planning += performance.now() - started;
      }
    };
    const started = performance.now();
    try {
      return await inner.recordCycle(subjects, timedDecide);
    } finally {
      db += performance.now() - started - planning;
      plan += planning;
    }
  };
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === "recordCycle") return recordCycle;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return {
    store,
    dbMs: () => db,
    planMs: () => plan,
    reset: () => {
      db = 0;
      plan = 0;
    },
  };
}
