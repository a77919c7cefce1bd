import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openTicketStore } from "./deps.ts";
import { cell, num, type SectionReport } from "./report.ts";
import { seedTickets } from "./seed.ts";
import { summarize } from "./stats.ts";
import { withTempDir } from "./temp-dir.ts";

/** How the CLI start section runs. */
export interface CliStartOptions {
  readonly tickets: number;
  readonly runs: number;
}

/** The target: a cold `tickets list` within this multiple of a bare `node -e ""` start in the same run. */
const TARGET_RATIO = 1.6;
const TARGET = `≤ ${TARGET_RATIO}× a bare \`node -e ""\``;
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = path.join(ROOT, "apps/monitor/bin.cjs");

/** Wall time (ms) of one fresh process, from spawn to exit; throws on a non-zero exit. */
function timeProcess(args: readonly string[]): Promise<{ ms: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve({ ms, stdout });
      else reject(new Error(`exit ${code}: ${stderr.trim().split("\n")[0] ?? ""}`));
    });
  });
}

/**
 * `operator tickets list` against a database of `tickets` tickets: a new Node process each run, built
 * CLI (dist), wall time from spawn to exit, beside a bare `node -e ""` start measured in the same run.
 */
export async function benchCliStart(options: CliStartOptions): Promise<SectionReport> {
  const base = {
    id: "cli-start",
    title: "CLI start",
    method:
      `\`node apps/monitor/bin.cjs tickets list --db FILE\` with ${num(options.tickets, 0)} tickets in the database ` +
      `(seeded by real monitor cycles), the built CLI, a new process each time: wall time from spawn to exit, ` +
      `${options.runs} runs alternating with a bare \`node -e ""\` start; median (min–max). Cold means a cold ` +
      "process; the operating system's file cache is warm after the first run.",
  };
  const measure = `\`operator tickets list\`, ${num(options.tickets, 0)} tickets, cold process`;
  if (!existsSync(BIN) || !existsSync(path.join(ROOT, "apps/monitor/dist"))) {
    const why = "the CLI is not built (run `npx turbo run build` or `./dev bench`)";
    return {
      ...base,
      tables: [],
      targets: [{ measure, target: TARGET, measured: `not measured: ${why}`, met: null }],
      notes: [`Not measured: ${why}.`],
    };
  }
  return withTempDir(async (dir) => {
    const dbFile = path.join(dir, "tickets.db");
    const seedStarted = performance.now();
    const store = openTicketStore(dbFile);
    try {
      await seedTickets(store, options.tickets);
    } finally {
      store.close();
    }
    const seedMs = performance.now() - seedStarted;
    const first = await timeProcess([BIN, "tickets", "list", "--db", dbFile]);
    const lines = first.stdout.trim().split("\n").length;
    const cli: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < options.runs; i++) {
      bare.push((await timeProcess(["-e", ""])).ms);
      cli.push((await timeProcess([BIN, "tickets", "list", "--db", dbFile])).ms);
    }
    const cliSummary = summarize(cli);
    const bareSummary = summarize(bare);
    const ratio = cliSummary.median / bareSummary.median;
    return {
      ...base,
      tables: [
        {
          columns: ["Process", "Wall time", "Ratio to bare Node"],
          rows: [
            ["`operator tickets list`", cell(cliSummary, "ms"), `${num(ratio, 2)}×`],
            ['`node -e ""`', cell(bareSummary, "ms"), "1×"],
            ["First run (not in the median)", `${num(first.ms)} ms`, ""],
          ],
        },
      ],
      targets: [
        {
          measure,
          target: TARGET,
          measured: `${num(ratio, 2)}× (${num(cliSummary.median)} ms against ${num(bareSummary.median)} ms)`,
          met: ratio <= TARGET_RATIO,
        },
      ],
      notes: [
        `Seeding ${num(options.tickets, 0)} tickets took ${num(seedMs / 1000)} s; the listing printed ${lines} lines.`,
      ],
    };
  });
}
