import { describe, expect, it } from "vitest";
import { ObservationError } from "../src/errors.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import type { Invariant, ObserveContext, Subject } from "../src/subject.ts";
import { memoryLogger, runCycles, testSubject } from "../src/testing/index.ts";

/** A small, well-behaved plugin: its "system" is a map of disk usage per node, read with a delay. */
interface DiskObservation {
  readonly usage: Readonly<Record<string, number>>;
}
const lowDisk: Invariant<DiskObservation> = {
  name: "low_disk_space",
  description: "Every node has at least 20 % free disk.",
  defaults: { ...DEFAULT_SETTINGS, severity: "critical", thresholds: { maxUsedRatio: 0.8 } },
  evaluate(observation, settings) {
    return Object.entries(observation.usage).map(([node, used]) =>
      used > (settings.thresholds.maxUsedRatio ?? 0.8)
        ? {
            entity: node,
            outcome: "violated",
            message: `Node ${node} disk ${Math.round(used * 100)} % used`,
            values: { used },
          }
        : { entity: node, outcome: "ok" },
    );
  },
};
function diskSubject(
  options: { usage?: Record<string, number>; reachable?: boolean } = {},
): Subject<DiskObservation> {
  return {
    name: "disks",
    kind: "disk",
    invariants: [lowDisk],
    observe({ signal }: ObserveContext) {
      return new Promise((resolve, reject) => {
        if (signal.aborted) return reject(new ObservationError("aborted", { reason: "aborted" }));
        const timer = setTimeout(() => {
          if (options.reachable === false)
            reject(new ObservationError("connect ECONNREFUSED", { reason: "unreachable" }));
          else resolve({ usage: options.usage ?? { a: 0.5, b: 0.9 } });
        }, 20);
        signal.addEventListener("abort", () => {
          clearTimeout(timer);
          reject(new ObservationError("aborted", { reason: "aborted" }));
        });
      });
    },
  };
}

testSubject({
  name: "disk (create)",
  create: () => diskSubject(),
  unreachable: () => diskSubject({ reachable: false }),
  additionalTests: ({ observation }) => {
    it("sees node b over its threshold", async () => {
      expect((await observation()).usage.b).toBe(0.9);
    });
  },
});

testSubject({
  name: "disk (sources and identity)",
  create: () => ({
    ...diskSubject(),
    sources: () => ({ prometheus: null }),
    identity: () => "disk-cluster-1",
  }),
});

testSubject({
  name: "disk (factory)",
  factory: diskSubject,
  options: { usage: { a: 0.1 } },
  observation: { usage: {} },
});

describe("runCycles", () => {
  it("drives a plugin through cycles on a manual clock", async () => {
    const log = memoryLogger();
    const { reports, store, clock } = await runCycles({
      subjects: diskSubject(),
      cycles: 3,
      logger: log.logger,
    });
    expect(reports.map((report) => report.opened.length)).toEqual([1, 0, 0]);
    expect(reports[2]?.startedAt).toBe(clock.now());
    const [ticket] = (await store.listTickets()).tickets;
    expect(ticket).toMatchObject({ key: "disks/low_disk_space/b", severity: "critical", occurrenceCount: 3 });
    expect(log.messages()[0]).toMatch(/^Check complete: 1 invariant, 1 violation \(1 new\) \(\d+ms\)$/);
  });
});
