import type { KeyOutcome } from "./decide-key.ts";
import type { KeyState } from "./store.ts";

/** Invariant name of the key that tracks whether a subject can be read at all. */
export const UNREACHABLE_INVARIANT = "subject_unreachable";

/** Entity of the `subject_unreachable` key: `<subject>/subject_unreachable/subject`. */
export const UNREACHABLE_ENTITY = "subject";

/** Default number of consecutive failed observations before `subject_unreachable` opens. */
export const DEFAULT_UNREACHABLE_AFTER = 3;

/**
 * The outcome of a subject's `subject_unreachable` key this cycle, and its consecutive-failure count
 * (monitor-semantics rule 1). A successful observation is `ok` and resets the count; a failure is
 * `unknown` until `after` consecutive failures, then `violated` (critical).
 */
export function unreachableOutcome(
  subject: string,
  failure: string | null,
  state: KeyState | undefined,
  after: number,
): { readonly failures: number; readonly outcome: KeyOutcome } {
  if (failure === null) return { failures: 0, outcome: { outcome: "ok" } };
  const failures = (state?.failures ?? 0) + 1;
  if (failures < after) {
    return {
      failures,
      outcome: { outcome: "unknown", reason: `${failures} of ${after} failed reads: ${failure}` },
    };
  }
  return {
    failures,
    outcome: {
      outcome: "violated",
      severity: "critical",
      message: `Subject "${subject}" could not be read for ${failures} consecutive cycles: ${failure}`,
      values: { failures, lastError: failure },
    },
  };
}
