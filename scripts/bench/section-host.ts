/**
 * Runs one benchmark section in a process of its own, for `index.ts`: a section starts with a fresh
 * heap, whatever the sections before it allocated. The V8 flags given as the first argument
 * (section-flags.ts) are applied before the sections are loaded.
 */
import { setFlagsFromString } from "node:v8";
import type { BenchArgs, SectionId } from "./cli-args.ts";
import type { SectionReport } from "./report.ts";

const v8Flags = process.argv[2];
if (v8Flags) setFlagsFromString(v8Flags);
const { plan } = await import("./sections.ts");
const { serve } = await import("./worker.ts");

/** What the section host serves. */
export type SectionHandlers = {
  run(params: { readonly id: SectionId; readonly args: BenchArgs }): Promise<SectionReport>;
};

serve({ run: ({ id, args }: { id: SectionId; args: BenchArgs }) => plan(args)[id]() }, async () => undefined);
