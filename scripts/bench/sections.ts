import type { BenchArgs, SectionId } from "./cli-args.ts";
import { benchCliStart } from "./cli-start.ts";
import { benchCycleCost } from "./cycle-cost.ts";
import { benchDetection } from "./detection.ts";
import { benchFailover } from "./failover.ts";
import { benchHttpPages } from "./http-pages.ts";
import { benchMemory } from "./memory.ts";
import { benchNotifications } from "./notifications.ts";
import type { SectionReport } from "./report.ts";
import { benchStore } from "./store.ts";

/** Sizes and run counts: the full run is publishable, `--quick` is a smoke run. */
export function plan(args: BenchArgs): Record<SectionId, () => Promise<SectionReport>> {
  const q = args.quick;
  return {
    "cycle-cost": () =>
      benchCycleCost({
        sizes: args.stores ?? (q ? [10, 100] : [10, 100, 1000, 5000, 10_000]),
        cycles: q ? 5 : 15,
        warmup: q ? 20 : 100,
        warmupMs: q ? 10_000 : 60_000,
        budgetMs: q ? 20_000 : 60_000,
        readyTimeoutMs: q ? 120_000 : 360_000,
      }),
    memory: () =>
      benchMemory({
        sizes: q
          ? [{ stores: 10, checkpoints: [100, 500], rssTargetMb: 100 }]
          : [
              { stores: 10, checkpoints: [1000, 2000, 3000, 4000, 5000], rssTargetMb: 100 },
              { stores: 1000, checkpoints: [100, 300], rssTargetMb: 150 },
            ],
        runs: q ? 1 : 2,
        faultEveryMs: 2000,
        budgetMs: q ? 90_000 : 600_000,
      }),
    store: () => benchStore({ quick: q }),
    "cli-start": () => benchCliStart({ tickets: q ? 20_000 : 100_000, runs: q ? 3 : 10 }),
    http: () => benchHttpPages({ tickets: q ? 20_000 : 100_000, pageSize: 100, walks: q ? 2 : 4 }),
    detection: () => benchDetection({ runs: q ? 1 : 6 }),
    notifications: () => benchNotifications({ tickets: q ? 1000 : 10_000, runs: 3 }),
    failover: () => benchFailover({ kills: q ? 3 : 10, stops: q ? 1 : 3, intervalMs: 2000 }),
  };
}
