import { createMonitor, type Subject, silentLogger, type TicketStore } from "./deps.ts";

/**
 * A subject whose one invariant is violated for `count()` entities, so a real monitor cycle opens
 * (or keeps) that many tickets through the store's public interface.
 */
export function syntheticSubject(name: string, count: () => number): Subject<number> {
  return {
    name,
    kind: "bench",
    invariants: [
      {
        name: "bench_violation",
        description: "A synthetic invariant the benchmark violates on purpose.",
        defaults: { enabled: true, severity: "warning", forMs: 0, clearMs: 0, thresholds: {} },
        evaluate: (n) =>
          Array.from({ length: n }, (_, i) => ({
            entity: String(i + 1),
            outcome: "violated" as const,
            message: `Synthetic violation ${i + 1}`,
            values: { index: i + 1 },
          })),
      },
    ],
    observe: async () => count(),
  };
}

/** Opens `tickets` tickets in `store` with real monitor cycles of at most `perCycle` each. */
export async function seedTickets(store: TicketStore, tickets: number, perCycle = 10_000): Promise<void> {
  for (let done = 0, batch = 0; done < tickets; done += perCycle, batch++) {
    const size = Math.min(perCycle, tickets - done);
    const monitor = createMonitor({
      subjects: [syntheticSubject(`seed-${batch}`, () => size)],
      store,
      intervalMs: 60_000,
      deadlineMs: 50_000,
      logger: silentLogger,
    });
    await monitor.runOnce();
    await monitor.stop();
  }
}
