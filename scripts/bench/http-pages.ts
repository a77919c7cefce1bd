import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { openTicketStore } from "./deps.ts";
import { cell, num, type SectionReport } from "./report.ts";
import { seedTickets } from "./seed.ts";
import { summarize } from "./stats.ts";
import { withTempDir } from "./temp-dir.ts";

/** How the HTTP pagination section runs. */
export interface HttpPagesOptions {
  readonly tickets: number;
  readonly pageSize: number;
  /** Whole walks through every ticket; the first is a warm-up. */
  readonly walks: number;
}

const TARGET_MS = 20;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "apps/monitor/bin.cjs");

/**
 * Walks every ticket of a `tickets`-ticket database page by page through `GET /api/v1/tickets` of
 * `operator serve` (the built CLI, its own process), following `next`: the time of each page, from
 * request to parsed body, at the client.
 */
export async function benchHttpPages(options: HttpPagesOptions): Promise<SectionReport> {
  const base = {
    id: "http",
    title: "HTTP API pagination",
    method:
      `\`operator serve\` (built CLI, its own process) over a SQLite file of ${num(options.tickets, 0)} tickets ` +
      `(seeded by real monitor cycles); the benchmark walks every ticket with \`GET /api/v1/tickets?status=all&limit=${options.pageSize}\` ` +
      `following \`next\`, one request at a time on a keep-alive connection, ${options.walks - 1} measured walks after a warm-up walk. ` +
      "Page time is from sending the request to the parsed JSON body at the client; median (min–max) over every page.",
  };
  const measure = `HTTP API: one page of ${options.pageSize} while walking ${num(options.tickets, 0)} tickets`;
  if (!existsSync(BIN) || !existsSync(path.join(ROOT, "apps/monitor/dist"))) {
    const why = "the CLI is not built (run `npx turbo run build` or `./dev bench`)";
    return {
      ...base,
      tables: [],
      targets: [{ measure, target: `< ${TARGET_MS} ms`, measured: `not measured: ${why}`, met: null }],
      notes: [`Not measured: ${why}.`],
    };
  }
  return withTempDir(async (dir) => {
    const dbFile = path.join(dir, "tickets.db");
    const store = openTicketStore(dbFile);
    try {
      await seedTickets(store, options.tickets);
    } finally {
      store.close();
    }
    const { child, url } = await startServe(dbFile);
    try {
      const pages: number[] = [];
      let walked = 0;
      for (let walk = 0; walk < options.walks; walk++) {
        const seen = new Set<number>();
        let cursor: string | null = null;
        do {
          const started = performance.now();
          const query: string = `status=all&limit=${options.pageSize}${cursor ? `&cursor=${cursor}` : ""}`;
          const response = await fetch(`${url}/api/v1/tickets?${query}`);
          const body = (await response.json()) as { tickets: { id: number }[]; next: string | null };
          if (walk > 0) pages.push(performance.now() - started);
          for (const ticket of body.tickets) seen.add(ticket.id);
          cursor = body.next;
        } while (cursor !== null);
        if (seen.size !== options.tickets) {
          throw new Error(`[bench] walked ${seen.size} distinct tickets, expected ${options.tickets}`);
        }
        walked = seen.size;
      }
      const summary = summarize(pages);
      return {
        ...base,
        tables: [
          {
            columns: ["Measurement", "Page time", "p90", "Pages"],
            rows: [[measure, cell(summary, "ms", 2), `${num(summary.p90, 2)} ms`, num(summary.runs, 0)]],
          },
        ],
        targets: [
          {
            measure,
            target: `< ${TARGET_MS} ms (median)`,
            measured: `${num(summary.median, 2)} ms`,
            met: summary.median < TARGET_MS,
          },
        ],
        notes: [`Every walk saw each of the ${num(walked, 0)} tickets exactly once.`],
      };
    } finally {
      child.kill("SIGTERM");
    }
  });
}

/** Starts `operator serve` on a free port and resolves with its URL once it listens. */
function startServe(dbFile: string): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "serve", "--db", dbFile, "--listen", "127.0.0.1:0"], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const lines: string[] = [];
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      lines.push(line);
      const url = /Serving the HTTP API on (http:\/\/\S+)\/api\/v1/.exec(line)?.[1];
      if (url) resolve({ child, url });
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      reject(new Error(`[bench] operator serve exited ${code}: ${lines.join("\n")}`)),
    );
  });
}
