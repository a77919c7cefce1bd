import type { KeyOutcome } from "./decide-key.ts";
import type { KeyState } from "./store.ts";

/** Invariant name of the key that tracks whether a subject can be read at all. */
export const UNREACHABLE_INVARIANT = "subject_unreachable";

/** Entity of the `subject_unreachable` key: `<subject>/subject_unreachable/subject`. */
export const UNREACHABLE_ENTITY = "subject";

/** Invariant name of the keys that track a subject's secondary sources: `<subject>/source_unreachable/<source>`. */
export const SOURCE_UNREACHABLE_INVARIANT = "source_unreachable";

/** Default number of consecutive failed observations before `subject_unreachable` opens. */
export const DEFAULT_UNREACHABLE_AFTER = 3;

/** What to check first when a subject or one of its sources cannot be read. */
const UNREACHABLE_RUNBOOK = {
  hint: "Run `operator check` on the daemon's host to see the error, then check the address, DNS, firewall and TLS between it and the endpoint",
};

/**
 * The outcome of a subject's `subject_unreachable` key this cycle, and its consecutive-failure count
 * (monitor-semantics rule 1), or of one of its secondary sources when `source` is given (rule 12). A
 * successful read is `ok` and resets the count; a failure is `unknown` until `after` consecutive
 * failures, then `violated` (critical).
 */
export function unreachableOutcome(
  subject: string,
  failure: string | null,
  state: KeyState | undefined,
  after: number,
  source?: string,
): { readonly failures: number; readonly outcome: KeyOutcome } {
  const what = source === undefined ? `Subject "${subject}"` : `Source "${source}" of subject "${subject}"`;
  if (failure === null) {
    const reason = source === undefined ? "the subject answered again" : `${source} answered again`;
    return { failures: 0, outcome: { outcome: "ok", reason } };
  }
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
      message: `${what} could not be read for ${failures} consecutive cycles: ${failure}`,
      values: { failures, lastError: failure },
      runbook: UNREACHABLE_RUNBOOK,
    },
  };
}
