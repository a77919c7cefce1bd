import type { EntityResult, ObserveContext, Subject } from "@operator/core";
import { isUnknownEvaluation } from "@operator/core";
import type { EtcdObservation } from "../../src/index.ts";

/** Results of every invariant of `subject` on `observation`, by invariant name ("unknown: why" when it could not run). */
export function evaluateAll(
  subject: Subject<EtcdObservation>,
  observation: EtcdObservation,
): Record<string, readonly EntityResult[] | string> {
  const out: Record<string, readonly EntityResult[] | string> = {};
  for (const invariant of subject.invariants) {
    const evaluation = invariant.evaluate(observation, invariant.defaults);
    out[invariant.name] = isUnknownEvaluation(evaluation) ? `unknown: ${evaluation.unknown}` : evaluation;
  }
  return out;
}

/** The result of one invariant for one entity, or undefined. */
export function resultFor(
  subject: Subject<EtcdObservation>,
  observation: EtcdObservation,
  invariant: string,
  entity: string,
): EntityResult | undefined {
  const evaluation = evaluateAll(subject, observation)[invariant];
  return typeof evaluation === "string" ? undefined : evaluation?.find((result) => result.entity === entity);
}

/** A context with a fresh signal and a deadline `ms` from now. */
export function context(ms = 10_000): ObserveContext {
  return { signal: new AbortController().signal, deadline: Date.now() + ms };
}

/** Writes `count` small keys through the JSON gateway so the WAL and backend histograms move. */
export async function putKeys(endpoint: string, count: number, prefix = "k"): Promise<void> {
  for (let index = 0; index < count; index++) {
    const response = await fetch(`${endpoint}/v3/kv/put`, {
      method: "POST",
      body: JSON.stringify({ key: b64(`${prefix}${index}`), value: b64(`value-${index}`) }),
    });
    if (!response.ok) throw new Error(`put failed: ${response.status} ${await response.text()}`);
  }
}

/** Base64 of a UTF-8 string, as the gateway wants keys and values. */
export function b64(text: string): string {
  return Buffer.from(text).toString("base64");
}
