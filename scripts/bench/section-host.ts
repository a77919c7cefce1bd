/**
 * Runs one benchmark section in a process of its own, for `index.ts`: a section starts with a fresh
 * heap, whatever the sections before it allocated.
 */
import type { BenchArgs, SectionId } from "./cli-args.ts";
import type { SectionReport } from "./report.ts";
import { plan } from "./sections.ts";
import { serve } from "./worker.ts";

/** What the section host serves. */
export type SectionHandlers = {
  run(params: { readonly id: SectionId; readonly args: BenchArgs }): Promise<SectionReport>;
};

serve({ run: ({ id, args }: { id: SectionId; args: BenchArgs }) => plan(args)[id]() }, async () => undefined);
