import type { EntityResult, Evaluation, Invariant, Subject } from "@operator/core";
import { ConfigError } from "@operator/core";
import type { SubjectSpec } from "./config.ts";
import { loadSubject } from "./load-subject.ts";
import { redact, redactDeep } from "./redact.ts";

/**
 * Loads every configured subject (plugins in parallel) and checks that their names are unique:
 * names are the first part of every ticket key, so two subjects sharing one would mix their tickets.
 */
export async function loadSubjects(specs: readonly SubjectSpec[]): Promise<Subject[]> {
  const subjects = await Promise.all(specs.map(async (spec) => redactingSubject(await loadSubject(spec))));
  const seen = new Map<string, string>();
  subjects.forEach((subject, i) => {
    const origin = specs[i]?.origin ?? "";
    const earlier = seen.get(subject.name);
    if (earlier !== undefined) {
      throw new ConfigError(
        `${origin}: subject name "${subject.name}" is already used by ${earlier}; names must be unique`,
      );
    }
    seen.set(subject.name, origin);
  });
  return subjects;
}

/** Calls every subject's `dispose`, ignoring failures: shutdown must go on. */
export async function disposeSubjects(subjects: readonly Subject[]): Promise<void> {
  await Promise.allSettled(subjects.map(async (subject) => subject.dispose?.()));
}

/** One line describing a subject for the start-up log: `prod (tikv)`. */
export function describeSubject(subject: Subject): string {
  return `${subject.name} (${subject.kind})`;
}

/**
 * Wraps a plugin's subject so that nothing it says can carry a secret into a ticket, a log line or
 * output: error messages thrown by `observe` and the messages, reasons and values of its results
 * pass through {@link redact}, and its invariants keep their runbook hints (redacted too). (A
 * server that echoes the Authorization header in a 401 body would otherwise put the token into a
 * `subject_unreachable` ticket.)
 */
export function redactingSubject(subject: Subject): Subject {
  return {
    name: subject.name,
    kind: subject.kind,
    invariants: subject.invariants.map(_redactingInvariant),
    async observe(context) {
      try {
        return await subject.observe(context);
      } catch (error) {
        if (error instanceof Error) {
          error.message = redact(error.message);
          if (error.stack) error.stack = redact(error.stack);
        }
        throw error;
      }
    },
    ...(subject.sources ? { sources: (observation) => _redactedSources(subject, observation) } : {}),
    ...(subject.identity ? { identity: (observation) => subject.identity?.(observation) } : {}),
    ...(subject.dispose ? { dispose: () => subject.dispose?.() } : {}),
  };
}

// --- Internal helpers ---

/** The subject's source health with every reason redacted; anything malformed is left for core to refuse. */
function _redactedSources(subject: Subject, observation: unknown): Readonly<Record<string, string | null>> {
  const sources = subject.sources?.(observation);
  if (typeof sources !== "object" || sources === null) return sources as never;
  return Object.fromEntries(
    Object.entries(sources).map(([name, failure]) => [
      name,
      typeof failure === "string" ? redact(failure) : failure,
    ]),
  );
}

function _redactingInvariant(invariant: Invariant): Invariant {
  return {
    name: invariant.name,
    description: invariant.description,
    defaults: invariant.defaults,
    ...(invariant.runbook
      ? {
          runbook: {
            hint: redact(invariant.runbook.hint),
            ...(invariant.runbook.url === undefined ? {} : { url: redact(invariant.runbook.url) }),
          },
        }
      : {}),
    evaluate(observation, settings): Evaluation {
      const evaluation = invariant.evaluate(observation, settings);
      if (!Array.isArray(evaluation)) {
        const unknown = (evaluation as { unknown: unknown }).unknown;
        return typeof unknown === "string" ? { unknown: redact(unknown) } : evaluation;
      }
      return evaluation.map((result: EntityResult): EntityResult => {
        if (result.outcome === "violated") {
          return { ...result, message: redact(result.message), values: redactDeep(result.values) };
        }
        if (result.outcome === "unknown") return { ...result, reason: redact(result.reason) };
        return result.gone === undefined ? result : { ...result, gone: redact(result.gone) };
      });
    },
  };
}
