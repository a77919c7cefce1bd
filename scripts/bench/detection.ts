import type { SectionReport } from "./report.ts";

/** How the detection section runs. */
export interface DetectionOptions {
  readonly quick: boolean;
}

/** Detection latency and false resolves, ours against Prometheus's alerting rules. */
export async function benchDetection(_options: DetectionOptions): Promise<SectionReport> {
  throw new Error("not yet");
}
