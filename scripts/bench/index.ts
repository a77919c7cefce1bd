/**
 * `pnpm bench`: measures Operator against its published targets and writes docs/benchmarks.md.
 * Not part of the test run. Sections run one after another so they do not compete for the CPU.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type BenchArgs, parseBenchArgs, type SectionId, USAGE } from "./cli-args.ts";
import { benchCliStart } from "./cli-start.ts";
import { benchCycleCost } from "./cycle-cost.ts";
import { benchDetection } from "./detection.ts";
import { benchFailover } from "./failover.ts";
import { benchHttpPages } from "./http-pages.ts";
import { benchMemory } from "./memory.ts";
import { benchNotifications } from "./notifications.ts";
import { describeMachine, renderReport, type SectionReport } from "./report.ts";
import { benchStore } from "./store.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Sizes and run counts: the full run is publishable, `--quick` is a smoke run. */
function plan(args: BenchArgs): Record<SectionId, () => Promise<SectionReport>> {
  const q = args.quick;
  return {
    "cycle-cost": () =>
      benchCycleCost({
        sizes: args.stores ?? (q ? [10, 100] : [10, 100, 1000, 5000, 10_000]),
        cycles: q ? 5 : 15,
        warmup: q ? 2 : 3,
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
        budgetMs: q ? 90_000 : 420_000,
      }),
    store: () => benchStore({ quick: q }),
    "cli-start": () => benchCliStart({ tickets: q ? 20_000 : 100_000, runs: q ? 3 : 10 }),
    http: () => benchHttpPages({ tickets: q ? 20_000 : 100_000, pageSize: 100, walks: q ? 2 : 4 }),
    detection: () => benchDetection({ runs: q ? 1 : 3 }),
    notifications: () => benchNotifications({ tickets: q ? 1000 : 10_000, runs: 3 }),
    failover: () => benchFailover({ kills: q ? 3 : 10, stops: q ? 1 : 3, intervalMs: 2000 }),
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const machine = await describeMachine();
  const sections: SectionReport[] = [];
  const runners = plan(args);
  for (const id of args.only) {
    process.stderr.write(`[bench] ${id}\n`);
    const sectionStarted = performance.now();
    const report = await runners[id]();
    sections.push({ ...report, durationMs: performance.now() - sectionStarted });
  }
  const command = ["pnpm bench", ...argv.filter((a) => a !== "--")].join(" ");
  const markdown = renderReport({
    date: new Date(),
    command,
    machine,
    sections,
    durationMs: performance.now() - started,
    quick: args.quick,
  });
  process.stdout.write(markdown);
  if (args.out !== null) {
    const out = path.resolve(ROOT, args.out);
    await writeFile(out, markdown);
    process.stderr.write(`[bench] wrote ${path.relative(process.cwd(), out) || out}\n`);
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(error instanceof Error && error.name === "UsageError" ? 2 : 1);
  },
);
