import type { SectionReport } from "./report.ts";

/** How the ticket store section runs. */
export interface StoreOptions {
  readonly quick: boolean;
}

/** The ticket store targets, measured by @operator/db's own benchmark. */
export async function benchStore(_options: StoreOptions): Promise<SectionReport> {
  throw new Error("not yet");
}
