import { isSeverity } from "./severity.ts";
import type { EntityResult, Invariant } from "./subject.ts";

/** What one invariant produced in one cycle, checked. */
export type InvariantOutcome =
  | { readonly kind: "results"; readonly results: readonly EntityResult[] }
  | {
      readonly kind: "unknown";
      readonly reason: string;
      /** The invariant itself misbehaved (threw, or returned something malformed): worth a warning. */
      readonly fault?: boolean;
    }
  | { readonly kind: "disabled" };

/**
 * Lists of entities {@link checkEvaluation} found distinct, the last one of each length. The
 * invariants of a subject mostly report the same entities in the same order (its stores, its
 * members): sharing one of these among them within a cycle spares each a set of its entities when
 * they are those of an earlier list.
 */
export type DistinctEntities = Map<number, readonly string[]>;

/**
 * Checks what an invariant's `evaluate` returned. Anything malformed (a result without an entity, a
 * violation without a message, the same entity twice) makes the whole evaluation `unknown`: a broken
 * answer is not an all-clear.
 */
export function checkEvaluation(
  evaluation: unknown,
  distinct: DistinctEntities = new Map(),
): InvariantOutcome {
  if (typeof evaluation === "object" && evaluation !== null && !Array.isArray(evaluation)) {
    const reason = (evaluation as { unknown?: unknown }).unknown;
    if (typeof reason === "string" && reason !== "") return { kind: "unknown", reason };
    return {
      kind: "unknown",
      reason: "invalid evaluation: expected an array of results or { unknown }",
      fault: true,
    };
  }
  if (!Array.isArray(evaluation)) {
    return { kind: "unknown", reason: `invalid evaluation: got ${describe(evaluation)}`, fault: true };
  }
  const known = distinct.get(evaluation.length);
  // Undefined while every entity so far is the known one at its index (and so distinct).
  let seen = known === undefined ? new Set<string>() : undefined;
  for (let index = 0; index < evaluation.length; index++) {
    const result: unknown = evaluation[index];
    const problem = resultProblem(result);
    if (problem) return { kind: "unknown", reason: `invalid result #${index}: ${problem}`, fault: true };
    const entity = (result as EntityResult).entity;
    if (seen === undefined) {
      if (entity === known?.[index]) continue;
      seen = new Set(known?.slice(0, index));
    }
    if (seen.has(entity))
      return { kind: "unknown", reason: `invalid result #${index}: entity "${entity}" twice` };
    seen.add(entity);
  }
  if (seen !== undefined) distinct.set(evaluation.length, [...seen]);
  return { kind: "results", results: evaluation as EntityResult[] };
}

/**
 * Evaluates one invariant safely: a disabled one is skipped, a throw becomes `unknown`. `distinct` is
 * shared by the invariants of one subject in one cycle (see {@link DistinctEntities}).
 */
export function evaluateInvariant<O>(
  invariant: Invariant<O>,
  observation: O,
  distinct?: DistinctEntities,
): InvariantOutcome {
  if (!invariant.defaults.enabled) return { kind: "disabled" };
  try {
    return checkEvaluation(invariant.evaluate(observation, invariant.defaults), distinct);
  } catch (error) {
    return { kind: "unknown", reason: `evaluate threw: ${errorMessage(error)}`, fault: true };
  }
}

/** A one-line description of a thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message.replace(/^\[operator\] /, "");
  return String(error);
}

function resultProblem(result: unknown): string | null {
  if (typeof result !== "object" || result === null) return `got ${describe(result)}`;
  const r = result as Record<string, unknown>;
  if (typeof r.entity !== "string" || r.entity === "") return "entity must be a non-empty string";
  switch (r.outcome) {
    case "ok":
      if (r.gone !== undefined && (typeof r.gone !== "string" || r.gone === "")) {
        return "gone must be a non-empty string";
      }
      return null;
    case "unknown":
      return typeof r.reason === "string" ? null : "an unknown result needs a reason";
    case "violated":
      if (typeof r.message !== "string" || r.message === "") return "a violation needs a message";
      if (typeof r.values !== "object" || r.values === null || Array.isArray(r.values)) {
        return "a violation needs values (an object)";
      }
      if (r.severity !== undefined && !isSeverity(r.severity))
        return `unknown severity ${String(r.severity)}`;
      return null;
    default:
      return `outcome must be ok, violated or unknown, got ${describe(r.outcome)}`;
  }
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `"${value}"` : typeof value;
}
