import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createDispatcher, openTicketStore, silentLogger, webhookNotifier } from "./deps.ts";
import { cell, num, type SectionReport } from "./report.ts";
import { seedTickets } from "./seed.ts";
import { summarize } from "./stats.ts";
import { withTempDir } from "./temp-dir.ts";

/** How the notifications section runs. */
export interface NotificationsOptions {
  readonly tickets: number;
  readonly runs: number;
}

const TARGET_MS = 5000;

interface DrainRun {
  readonly ms: number;
  readonly rssGrowthMb: number;
  readonly heapGrowthMb: number;
  readonly maxStallMs: number;
}

/**
 * `tickets` tickets opening in one real monitor cycle on a SQLite file, drained by the dispatcher to
 * a `webhook` channel pointing at a node:http receiver on 127.0.0.1 in the same process: time from
 * the cycle's end to the last delivery, peak RSS and heap growth over the start of the drain, and the
 * longest event-loop stall meanwhile.
 */
export async function benchNotifications(options: NotificationsOptions): Promise<SectionReport> {
  const runs: DrainRun[] = [];
  for (let i = 0; i < options.runs; i++) runs.push(await drainOnce(options.tickets));
  const ms = summarize(runs.map((r) => r.ms));
  const rate = summarize(runs.map((r) => (options.tickets / r.ms) * 1000));
  const rss = summarize(runs.map((r) => r.rssGrowthMb));
  const heap = summarize(runs.map((r) => r.heapGrowthMb));
  const stall = summarize(runs.map((r) => r.maxStallMs));
  const measure = `${num(options.tickets, 0)} opened events drained to a local webhook`;
  return {
    id: "notifications",
    title: "Notifications",
    method:
      `${num(options.tickets, 0)} tickets open in one real monitor cycle on a SQLite file (\`@operator/db\`); the ` +
      "dispatcher (`@operator/core`, default options) delivers each `opened` event through a `webhook` channel " +
      "(`@operator/notify`) to a node:http receiver on 127.0.0.1 in the same process answering 200. Drain time: from " +
      "the cycle's end to the last delivery. Memory: peak RSS and heap over their values when the drain starts, " +
      "sampled every 50 ms. Stall: the longest event-loop delay (perf_hooks monitorEventLoopDelay) during the drain. " +
      `${options.runs} runs, a new database each; median (min–max).`,
    tables: [
      {
        columns: ["Measure", "Value"],
        rows: [
          ["Drain time", cell(ms, "ms", 0)],
          ["Delivery rate", cell(rate, "events/s", 0)],
          ["Peak RSS growth", cell(rss, "MB", 1)],
          ["Peak heap growth", cell(heap, "MB", 1)],
          ["Longest event-loop stall", cell(stall, "ms", 1)],
        ],
      },
    ],
    targets: [
      {
        measure,
        target: "< 5 s, memory bounded (issue 18)",
        measured: `${num(ms.median, 0)} ms; peak RSS +${num(rss.median, 1)} MB`,
        met: ms.median < TARGET_MS,
      },
    ],
    notes: [
      "The memory verdict is read from the growth columns: the dispatcher reads the outbox in batches, so growth should not scale with the backlog.",
    ],
  };
}

async function drainOnce(tickets: number): Promise<DrainRun> {
  return withTempDir(async (dir) => {
    let received = 0;
    let allReceived: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      allReceived = resolve;
    });
    const server = createServer((request, response) => {
      request.resume();
      request.on("end", () => {
        response.writeHead(200).end("ok");
        received++;
        if (received >= tickets) allReceived();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const store = await openTicketStore(path.join(dir, "bench.db"));
    const dispatcher = createDispatcher({
      store,
      notifiers: [webhookNotifier({ name: "bench", url: `http://127.0.0.1:${port}/hook` })],
      logger: silentLogger,
    });
    try {
      await dispatcher.start();
      await seedTickets(store, tickets, tickets);
      const base = process.memoryUsage();
      let peakRss = base.rss;
      let peakHeap = base.heapUsed;
      const sampler = setInterval(() => {
        const now = process.memoryUsage();
        peakRss = Math.max(peakRss, now.rss);
        peakHeap = Math.max(peakHeap, now.heapUsed);
      }, 50);
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const started = performance.now();
      dispatcher.wake();
      await done;
      const ms = performance.now() - started;
      delay.disable();
      clearInterval(sampler);
      return {
        ms,
        rssGrowthMb: (peakRss - base.rss) / 1024 / 1024,
        heapGrowthMb: Math.max(0, peakHeap - base.heapUsed) / 1024 / 1024,
        maxStallMs: delay.max / 1e6,
      };
    } finally {
      await dispatcher.stop();
      await store.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
}
