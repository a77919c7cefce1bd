import { type DistinctEntities, errorMessage, evaluateInvariant } from "./evaluation.ts";
import type { SubjectCycleInput } from "./plan-cycle.ts";
import type { Subject } from "./subject.ts";
import { readSubjectHealth } from "./subject-health.ts";

/** What observing one subject gave: its observation, or why there is none. */
export type SubjectReading<O> =
  | { readonly ok: true; readonly observation: O }
  | { readonly ok: false; readonly failure: string };

/**
 * Calls `subject.observe` and settles by the time `signal` aborts, even if the plugin ignores the
 * signal: a late answer is dropped and the reading is a failure, so every result of the subject is
 * `unknown` this cycle. A throw or rejection is a failure too.
 */
export async function observeSubject<O>(
  subject: Subject<O>,
  signal: AbortSignal,
  deadline: number,
): Promise<SubjectReading<O>> {
  if (signal.aborted) return { ok: false, failure: abortMessage(signal) };
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<SubjectReading<O>>((resolve) => {
    onAbort = () => resolve({ ok: false, failure: abortMessage(signal) });
    signal.addEventListener("abort", onAbort, { once: true });
  });
  const observed = (async (): Promise<SubjectReading<O>> => {
    try {
      return { ok: true, observation: await subject.observe({ signal, deadline }) };
    } catch (error) {
      return { ok: false, failure: signal.aborted ? abortMessage(signal) : errorMessage(error) };
    }
  })();
  try {
    return await Promise.race([observed, aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

/**
 * Observes every subject in parallel and evaluates each enabled invariant on what was read, with the
 * sources and identity the subject reports for it. A subject that could not be read (or whose
 * `sources`/`identity` failed) gets its failure and no results.
 */
export async function readSubjects(
  subjects: readonly Subject[],
  signal: AbortSignal,
  deadline: number,
): Promise<SubjectCycleInput[]> {
  const readings = await Promise.all(subjects.map((subject) => observeSubject(subject, signal, deadline)));
  return subjects.map((subject, i) => {
    let reading = readings[i] ?? { ok: false as const, failure: "no reading" };
    const health = reading.ok ? readSubjectHealth(subject, reading.observation) : undefined;
    if (health && !health.ok) reading = { ok: false, failure: health.failure };
    const distinct: DistinctEntities = new Map();
    return {
      name: subject.name,
      failure: reading.ok ? null : reading.failure,
      ...(health?.ok && health.sources !== undefined ? { sources: health.sources } : {}),
      ...(health?.ok && health.identity !== undefined ? { identity: health.identity } : {}),
      invariants: subject.invariants.map((invariant) => ({
        name: invariant.name,
        settings: invariant.defaults,
        ...(invariant.runbook ? { runbook: invariant.runbook } : {}),
        outcome: !invariant.defaults.enabled
          ? { kind: "disabled" as const }
          : reading.ok
            ? evaluateInvariant(invariant, reading.observation, distinct)
            : { kind: "unknown" as const, reason: reading.failure },
      })),
    };
  });
}

function abortMessage(signal: AbortSignal): string {
  return signal.reason instanceof Error ? errorMessage(signal.reason) : "aborted";
}
