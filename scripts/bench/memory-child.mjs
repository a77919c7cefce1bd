/**
 * Worker process of the memory section. Plain JavaScript on plain Node against the built packages
 * (dist), as the daemon runs them: a TypeScript loader would add its own ~50 MB to the resident size.
 * Speaks the protocol of worker.ts: `{ id, method, params }` in, `{ id, result | error }` out.
 */
import { setFlagsFromString } from "node:v8";

/**
 * The V8 setting `operator monitor` applies before it loads the packages (SMALL_HEAP_V8_FLAGS in
 * apps/monitor/src/heap.ts; a test there checks the two agree), so this process holds its heap as
 * the daemon does.
 */
const DAEMON_V8_FLAGS = "--heap-growing-percent=40 --semi-space-growth-factor=1";
setFlagsFromString(DAEMON_V8_FLAGS);

const { createMonitor, silentLogger } = await import("../../packages/core/dist/index.js");
const { openTicketStore } = await import("../../packages/db/dist/index.js");
const { default: tikvSubject } = await import("../../packages/tikv/dist/index.js");

const MB = 1024 * 1024;

/**
 * Runs cycles back to back and samples memory (after a full GC when `--expose-gc` is on) at each
 * checkpoint; stops early, with one last sample, once `budgetMs` has passed.
 * @param {import("./memory.ts").MemoryRunOptions} options
 * @returns {Promise<import("./memory.ts").MemorySample[]>}
 */
async function run(options) {
  const store = openTicketStore(options.dbFile);
  const monitor = createMonitor({
    subjects: [tikvSubject({ name: "bench", pdUrl: options.pdUrl, prometheusUrl: options.prometheusUrl })],
    store,
    intervalMs: 1000,
    deadlineMs: 900,
    logger: silentLogger,
  });
  const samples = [];
  const started = performance.now();
  const totals = { unknownCycles: 0, opened: 0, resolved: 0 };
  const sample = (cycles) => {
    globalThis.gc?.();
    const usage = process.memoryUsage();
    samples.push({
      cycles,
      rssMb: usage.rss / MB,
      heapUsedMb: usage.heapUsed / MB,
      heapTotalMb: usage.heapTotal / MB,
      externalMb: usage.external / MB,
      elapsedMs: performance.now() - started,
      ...totals,
    });
  };
  try {
    sample(0);
    let cycles = 0;
    for (const checkpoint of options.checkpoints) {
      for (; cycles < checkpoint; cycles++) {
        if (performance.now() - started > options.budgetMs) {
          sample(cycles);
          return samples;
        }
        const report = await monitor.runOnce();
        if (report.unknown > 0) totals.unknownCycles++;
        totals.opened += report.opened.length;
        totals.resolved += report.resolved.length;
      }
      sample(cycles);
    }
  } finally {
    await monitor.stop();
    store.close();
  }
  return samples;
}

process.on("message", async (request) => {
  try {
    if (request.method !== "run") throw new Error(`unknown method ${request.method}`);
    process.send?.({ id: request.id, result: await run(request.params) });
  } catch (error) {
    process.send?.({
      id: request.id,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  }
});
process.on("SIGTERM", () => process.exit(0));
process.on("disconnect", () => process.exit(0));
