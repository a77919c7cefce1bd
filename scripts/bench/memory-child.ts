/**
 * Worker process for the memory section: runs monitor cycles back to back against the simulated
 * cluster and reports its own resident size at checkpoints. Started with `--expose-gc`.
 */
import { createMonitor, openTicketStore, silentLogger, tikvSubject } from "./deps.ts";
import { serve } from "./worker.ts";

/** Options of {@link MemoryHandlers.run}. */
export interface MemoryRunOptions {
  readonly pdUrl: string;
  readonly prometheusUrl: string;
  readonly dbFile: string;
  /** Cycle counts after which to sample memory, ascending. */
  readonly checkpoints: readonly number[];
}

/** Memory of this process after a number of cycles, sampled after a full garbage collection. */
export interface MemorySample {
  readonly cycles: number;
  readonly rssMb: number;
  readonly heapUsedMb: number;
  readonly elapsedMs: number;
  /** Cycles so far in which the subject could not be fully read. */
  readonly unknownCycles: number;
}

const MB = 1024 * 1024;

const handlers = {
  async run(options: MemoryRunOptions): Promise<MemorySample[]> {
    const store = openTicketStore(options.dbFile);
    const monitor = createMonitor({
      subjects: [tikvSubject({ name: "bench", pdUrl: options.pdUrl, prometheusUrl: options.prometheusUrl })],
      store,
      intervalMs: 1000,
      deadlineMs: 900,
      logger: silentLogger,
    });
    const samples: MemorySample[] = [];
    const started = performance.now();
    let unknownCycles = 0;
    try {
      let cycles = 0;
      for (const checkpoint of options.checkpoints) {
        for (; cycles < checkpoint; cycles++) {
          const report = await monitor.runOnce();
          if (report.unknown > 0) unknownCycles++;
        }
        globalThis.gc?.();
        const usage = process.memoryUsage();
        samples.push({
          cycles,
          rssMb: usage.rss / MB,
          heapUsedMb: usage.heapUsed / MB,
          elapsedMs: performance.now() - started,
          unknownCycles,
        });
      }
    } finally {
      await monitor.stop();
      store.close();
    }
    return samples;
  },
};

/** The methods this worker serves. */
export type MemoryHandlers = typeof handlers;

serve(handlers, async () => undefined);
