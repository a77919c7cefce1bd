import {
  decideKey,
  emptyState,
  isEmptyState,
  type KeyDecision,
  type KeyOutcome,
  rebaseState,
} from "./decide-key.ts";
import type { InvariantOutcome } from "./evaluation.ts";
import type { FlapOptions } from "./flapping.ts";
import { checkIdentity, IDENTITY_ENTITY, IDENTITY_INVARIANT, type SubjectIdentity } from "./identity.ts";
import { violationKey } from "./key.ts";
import type { Severity } from "./severity.ts";
import { markSilences } from "./silence-marks.ts";
import type { CyclePlan, CycleSnapshot, KeyState, TicketDraft } from "./store.ts";
import type { InvariantSettings, Runbook, ViolatedResult } from "./subject.ts";
import type { TicketChange } from "./transitions.ts";
import {
  SOURCE_UNREACHABLE_INVARIANT,
  UNREACHABLE_ENTITY,
  UNREACHABLE_INVARIANT,
  unreachableOutcome,
} from "./unreachable.ts";

/** One invariant of one subject as the cycle saw it. */
export interface InvariantCycleInput {
  readonly name: string;
  readonly settings: InvariantSettings;
  readonly outcome: InvariantOutcome;
  /** The invariant's runbook hint, carried onto the tickets its violations open or update. */
  readonly runbook?: Runbook;
}

/** One subject as the cycle saw it. */
export interface SubjectCycleInput {
  readonly name: string;
  /** Why the observation failed (timeout, refused, aborted...); null when it succeeded. */
  readonly failure: string | null;
  /**
   * The secondary sources the observation read (`Subject.sources`): `null` when a source answered,
   * else why not. A source absent from the record was not read; ignored when `failure` is set.
   */
  readonly sources?: Readonly<Record<string, string | null>>;
  /** The identity the observation reported (`Subject.identity`); ignored when `failure` is set. */
  readonly identity?: string;
  readonly invariants: readonly InvariantCycleInput[];
}

/** Everything a cycle observed and evaluated, before it looks at the store. */
export interface CycleInput {
  /** The cycle id, also the batch key of the tickets it opens. */
  readonly id: string;
  /** When the cycle began observing: grace periods and clear windows are measured at it. */
  readonly startedAt: number;
  /** Decision time: the time of every change written. */
  readonly now: number;
  readonly subjects: readonly SubjectCycleInput[];
  /** Consecutive failed observations before `subject_unreachable` is violated. */
  readonly unreachableAfter: number;
  readonly flap: FlapOptions;
}

/**
 * One violated or unknown result of a cycle. A whole invariant that could not be evaluated (its
 * subject could not be read, it returned `{ unknown }`, it threw) is one finding with `entity: null`.
 */
export type Finding = {
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string | null;
  readonly key: string | null;
  readonly severity: Severity;
} & (
  | { readonly outcome: "violated"; readonly message: string }
  | { readonly outcome: "unknown"; readonly reason: string }
);

/** A {@link CyclePlan} with the findings behind it, for the cycle report. */
export interface PlannedCycle extends CyclePlan {
  readonly findings: readonly Finding[];
  /** Secondary sources that could not be read this cycle: reason by source, by subject. */
  readonly sourceFailures: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

type Parts = { key: string; subject: string; invariant: string; entity: string };

/** The outcome of a known key missing from a successful evaluation. */
const ABSENT: KeyOutcome = { outcome: "ok", reason: "no longer reported by the subject" };

/**
 * Plans one cycle from what was observed and what the store holds: which key states to write or drop,
 * which tickets to open and which to change. Pure and synchronous, so a store can run it inside its
 * transaction. Every known key of an evaluated invariant that has no result counts as `ok`; every key
 * of an invariant that could not be evaluated is left untouched.
 */
export function planCycle(input: CycleInput, snapshot: CycleSnapshot): PlannedCycle {
  const { now, flap } = input;
  const known = knownKeys(snapshot);
  const upsertStates: KeyState[] = [];
  const deleteStates: string[] = [];
  const open: TicketDraft[] = [];
  const change: TicketChange[] = [];
  const findings: Finding[] = [];
  let invariants = 0;

  const decide = (
    parts: Parts,
    outcome: KeyOutcome,
    settings: Pick<InvariantSettings, "forMs" | "clearMs">,
    state = snapshot.states.get(parts.key),
  ) => {
    const ticket = snapshot.openTickets.get(parts.key);
    // A key without state or ticket that stays ok needs nothing: the common case, kept cheap.
    if (outcome.outcome === "ok" && state === undefined && ticket === undefined) return;
    const decision = decideKey({
      parts,
      state,
      ticket,
      outcome,
      forMs: settings.forMs,
      clearMs: settings.clearMs,
      now,
      observedAt: input.startedAt,
      batchKey: input.id,
      flap,
    });
    record(decision, snapshot.states.get(parts.key), ticket !== undefined);
    if (outcome.outcome === "violated") {
      findings.push({
        key: parts.key,
        subject: parts.subject,
        invariant: parts.invariant,
        entity: parts.entity,
        outcome: "violated",
        severity: outcome.severity,
        message: outcome.message,
      });
    }
  };
  const record = (decision: KeyDecision, stored: KeyState | undefined, hadTicket: boolean) => {
    if (decision.open) open.push(decision.open);
    if (decision.change) change.push(decision.change);
    const resolved = decision.change?.patch.status === "resolved";
    const hasTicket = decision.open !== null || (hadTicket && !resolved);
    if (isEmptyState(decision.state, hasTicket, now, flap)) {
      if (stored) deleteStates.push(stored.key);
    } else if (!stored || !sameState(stored, decision.state)) {
      upsertStates.push(decision.state);
    }
  };

  /** An unknown result: the key's state stands, but a running clear window restarts. */
  const interrupt = (parts: Parts) => {
    const stored = snapshot.states.get(parts.key);
    if (stored?.clearSince == null) return;
    const state = { ...rebaseState(stored, now), clearSince: null, updatedAt: now };
    record({ state, open: null, change: null }, stored, snapshot.openTickets.has(parts.key));
  };
  const tracked = (parts: Parts, failure: string | null, source?: string) => {
    const stored = snapshot.states.get(parts.key);
    const unreachable = unreachableOutcome(parts.subject, failure, stored, input.unreachableAfter, source);
    const state =
      stored === undefined && unreachable.failures === 0
        ? undefined
        : {
            ...(stored ? rebaseState(stored, now) : emptyState(parts, now)),
            failures: unreachable.failures,
            updatedAt: now,
          };
    decide(parts, unreachable.outcome, { forMs: 0, clearMs: 0 }, state);
  };
  const identities: SubjectIdentity[] = [];
  const sourceFailures: Record<string, Record<string, string>> = {};

  for (const subject of input.subjects) {
    tracked(partsOf(subject.name, UNREACHABLE_INVARIANT, UNREACHABLE_ENTITY), subject.failure);
    let distrust: string | null = null;
    if (subject.failure === null) {
      for (const [source, failure] of Object.entries(subject.sources ?? {})) {
        tracked(partsOf(subject.name, SOURCE_UNREACHABLE_INVARIANT, source), failure, source);
        if (failure !== null) {
          const failed = sourceFailures[subject.name] ?? {};
          failed[source] = failure;
          sourceFailures[subject.name] = failed;
        }
      }
      const parts = partsOf(subject.name, IDENTITY_INVARIANT, IDENTITY_ENTITY);
      const identity = checkIdentity(
        subject.name,
        subject.identity,
        snapshot.identities.get(subject.name),
        snapshot.states.get(parts.key),
        snapshot.openTickets.has(parts.key),
        now,
      );
      if (identity.write) identities.push(identity.write);
      if (identity.outcome) decide(parts, identity.outcome, { forMs: 0, clearMs: 0 });
      distrust = identity.reason;
    }

    for (const invariant of subject.invariants) {
      const { outcome, settings } = invariant;
      if (outcome.kind === "disabled") continue;
      invariants++;
      const base = { subject: subject.name, invariant: invariant.name, severity: settings.severity };
      const knownHere = known.get(`${subject.name}/${invariant.name}`);
      const reason =
        subject.failure !== null
          ? `observation failed: ${subject.failure}`
          : (distrust ?? (outcome.kind === "unknown" ? outcome.reason : null));
      if (reason !== null || outcome.kind !== "results") {
        findings.push({
          ...base,
          entity: null,
          key: null,
          outcome: "unknown",
          reason: reason ?? "not evaluated",
        });
        for (const parts of knownHere?.values() ?? []) interrupt(parts);
        continue;
      }
      const seen = new Set<string>();
      for (const result of outcome.results) {
        const knownParts = knownHere?.get(result.entity);
        if (knownParts !== undefined) seen.add(result.entity);
        // An ok result for a key without state or ticket needs nothing: the common case, kept cheap.
        else if (result.outcome === "ok") continue;
        const resultParts = knownParts ?? partsOf(subject.name, invariant.name, result.entity);
        if (result.outcome === "unknown") {
          findings.push({
            subject: subject.name,
            invariant: invariant.name,
            severity: settings.severity,
            key: resultParts.key,
            entity: resultParts.entity,
            outcome: "unknown",
            reason: result.reason,
          });
          interrupt(resultParts);
          continue;
        }
        const keyOutcome =
          result.outcome === "ok"
            ? result
            : violatedOutcome(result, result.severity ?? settings.severity, invariant.runbook);
        decide(resultParts, keyOutcome, settings);
      }
      for (const [entity, absent] of knownHere ?? []) {
        if (!seen.has(entity)) decide(absent, ABSENT, settings);
      }
    }
  }

  const marked = markSilences(snapshot.silences ?? [], snapshot.openTickets, open, change, now);
  const violations = findings.filter((finding) => finding.outcome === "violated").length;
  const failures = Object.fromEntries(
    input.subjects.flatMap((subject) => (subject.failure === null ? [] : [[subject.name, subject.failure]])),
  );
  return {
    upsertStates,
    deleteStates,
    open: marked.open,
    change: marked.change,
    identities,
    findings,
    sourceFailures,
    log: {
      id: input.id,
      startedAt: input.startedAt,
      finishedAt: now,
      invariants,
      violations,
      unknown: findings.length - violations,
      opened: open.length,
      resolved: change.filter((c) => c.patch.status === "resolved").length,
      failures,
    },
  };
}

/**
 * A violated result as the key's decision takes it, built field by field: a cycle can hold tens of
 * thousands of them, and an object spread costs several times more.
 */
function violatedOutcome(
  result: ViolatedResult,
  severity: Severity,
  runbook: Runbook | undefined,
): KeyOutcome {
  const { message, values } = result;
  return runbook === undefined
    ? { outcome: "violated", message, values, severity }
    : { outcome: "violated", message, values, severity, runbook };
}

function partsOf(subject: string, invariant: string, entity: string): Parts {
  return { key: violationKey({ subject, invariant, entity }), subject, invariant, entity };
}

/**
 * Keys the store knows (a state row or an unresolved ticket, which serves as the key's parts), by
 * entity, grouped by `subject/invariant` (names hold no `/`, so the entity names the key in its group).
 */
function knownKeys(snapshot: CycleSnapshot): Map<string, Map<string, Parts>> {
  const grouped = new Map<string, Map<string, Parts>>();
  for (const source of [snapshot.states.values(), snapshot.openTickets.values()]) {
    for (const parts of source) {
      const group = `${parts.subject}/${parts.invariant}`;
      const entities = grouped.get(group) ?? new Map<string, Parts>();
      entities.set(parts.entity, parts);
      grouped.set(group, entities);
    }
  }
  return grouped;
}

function sameState(a: KeyState, b: KeyState): boolean {
  return (
    a.pendingSince === b.pendingSince &&
    a.clearSince === b.clearSince &&
    a.history === b.history &&
    a.flapping === b.flapping &&
    a.failures === b.failures &&
    a.onsets.join() === b.onsets.join()
  );
}
