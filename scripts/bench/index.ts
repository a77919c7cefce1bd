/**
 * `pnpm bench`: measures Operator against its published targets and writes docs/benchmarks.md.
 * Not part of the test run. Sections run one after another so they do not compete for the CPU, each
 * in a new process (`section-host.ts`), so that what one section left in the heap does not slow the
 * next.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseBenchArgs, USAGE } from "./cli-args.ts";
import { describeMachine, renderReport, type SectionReport } from "./report.ts";
import { SECTION_V8_FLAGS } from "./section-flags.ts";
import type { SectionHandlers } from "./section-host.ts";
import { startWorker } from "./worker.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function main(argv: readonly string[]): Promise<number> {
  const args = parseBenchArgs(argv);
  if (args === "help") {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const started = performance.now();
  const machine = await describeMachine();
  const sections: SectionReport[] = [];
  for (const id of args.only) {
    process.stderr.write(`[bench] ${id}\n`);
    const sectionStarted = performance.now();
    const v8Flags = SECTION_V8_FLAGS[id];
    const host = startWorker<SectionHandlers>(new URL("./section-host.ts", import.meta.url), {
      args: v8Flags === undefined ? [] : [v8Flags],
    });
    try {
      const report = await host.call("run", { id, args });
      sections.push({ ...report, durationMs: performance.now() - sectionStarted });
    } finally {
      await host.close();
    }
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
