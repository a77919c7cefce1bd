import type { Sample } from "@operator/subject-kit";

/** What one rule's query returned this cycle: its series, or why it could not be read. */
export type RuleReading =
  | { readonly samples: readonly Sample[]; readonly warnings: readonly string[] }
  | { readonly error: string };

/** One cycle of a PromQL subject: every rule's reading. */
export interface PromqlObservation {
  /** When the cycle read Prometheus, epoch ms. */
  readonly at: number;
  /** By rule name. */
  readonly rules: Readonly<Record<string, RuleReading>>;
}

/** Whether a reading is a failure. */
export function isFailedReading(reading: RuleReading): reading is { readonly error: string } {
  return "error" in reading;
}
