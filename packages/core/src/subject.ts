import type { Severity } from "./severity.ts";

/** Values behind a result: what was measured, for a ticket's snapshot. JSON-serialisable. */
export type Values = Readonly<Record<string, unknown>>;

/** The settings of one invariant: its defaults, possibly overridden by configuration. */
export interface InvariantSettings {
  /** A disabled invariant is not evaluated. @default true */
  readonly enabled: boolean;
  /** Severity of the tickets it opens, unless a result names its own. */
  readonly severity: Severity;
  /** Grace period: how long (ms) a key must stay violated before its ticket opens. 0 opens at once. */
  readonly forMs: number;
  /** Clear window: how long (ms) a key must evaluate `ok` before its ticket resolves. 0 = the first ok cycle. */
  readonly clearMs: number;
  /** Named numeric thresholds, e.g. `{ p99Seconds: 0.1 }`. */
  readonly thresholds: Readonly<Record<string, number>>;
}

/**
 * A partial {@link InvariantSettings}, as configuration gives it. Thresholds merge key by key.
 * `for` and `clear` accept durations such as `"60s"` in place of `forMs` and `clearMs`.
 */
export type InvariantOverride = Partial<Omit<InvariantSettings, "thresholds">> & {
  readonly thresholds?: Readonly<Record<string, number>>;
  /** Replaces the invariant's runbook `hint` and/or `url`, e.g. to point at the team's own runbook. */
  readonly runbook?: Partial<Runbook>;
  readonly for?: string | number;
  readonly clear?: string | number;
};

/** Overrides per invariant name. */
export type InvariantOverrides = Readonly<Record<string, InvariantOverride>>;

/** The invariant holds for this entity. */
export interface OkResult {
  readonly entity: string;
  readonly outcome: "ok";
  /**
   * Set when the entity left the system for good, e.g. `store 4 removed from the cluster (Tombstone)`.
   * An open ticket of the key resolves at once (no clear window, unless held), with this text as the
   * reason on its `resolved` event and as the ticket's last message.
   */
  readonly gone?: string;
}

/** The invariant is broken for this entity. */
export interface ViolatedResult {
  readonly entity: string;
  readonly outcome: "violated";
  /** One line a person can act on, e.g. `Store 4 (10.0.1.4:20160) is Down`. */
  readonly message: string;
  /** The values behind the verdict; stored on the ticket. */
  readonly values: Values;
  /** Overrides the invariant's severity for this result (e.g. Disconnected vs Down). */
  readonly severity?: Severity;
}

/** The invariant could not be evaluated for this entity (missing metric, failed read). */
export interface UnknownResult {
  readonly entity: string;
  readonly outcome: "unknown";
  readonly reason: string;
}

/** What one invariant says about one entity. */
export type EntityResult = OkResult | ViolatedResult | UnknownResult;

/** The invariant as a whole could not be evaluated: every key it knows stays as it was. */
export interface UnknownEvaluation {
  readonly unknown: string;
}

/**
 * What evaluating an invariant yields: a result per entity, or {@link UnknownEvaluation}.
 * An entity with no result after a successful evaluation is treated as `ok` (it no longer exists);
 * a plugin that cannot tell must say `unknown` for it.
 */
export type Evaluation = readonly EntityResult[] | UnknownEvaluation;

/** What a person should check first when an invariant breaks. */
export interface Runbook {
  /** One line, e.g. `Check the store's disk and the tikv-server process on its host`. */
  readonly hint: string;
  /** A page with more, e.g. the team's own runbook. */
  readonly url?: string;
}

/** A named rule over an observation. */
/** What a person should check first when an invariant breaks. */
export interface Runbook {
  /** One line, e.g. `Check the store's disk and the tikv-server process on its host`. */
  readonly hint: string;
  /** A page with more, e.g. the team's own runbook. */
  readonly url?: string;
}

export interface Invariant<Observation = unknown> {
  /** Stable name, part of every violation key: letters, digits, `_`, `-`, `.`. */
  readonly name: string;
  /** One sentence: what must hold. */
  readonly description: string;
  /** Default settings; configuration overrides them per field. */
  readonly defaults: InvariantSettings;
  /** What to check first when it breaks; shown with its tickets and in notifications. */
  readonly runbook?: Runbook;
  /** Evaluates the rule. Must not throw for expected data; a throw counts as an unknown evaluation. */
  evaluate(observation: Observation, settings: InvariantSettings): Evaluation;
}

/** What `observe` is given: a signal aborted at the cycle's deadline or at shutdown. */
export interface ObserveContext {
  readonly signal: AbortSignal;
  /** Epoch ms by which the observation must be done. */
  readonly deadline: number;
}

/**
 * One monitored system, e.g. one TiKV cluster. Built by a plugin's {@link SubjectFactory}.
 * Required: `name`, `kind`, `invariants`, `observe`; `dispose` is optional.
 */
export interface Subject<Observation = unknown> {
  /** The user's name for this system (`prod-tikv`): first part of every violation key. */
  readonly name: string;
  /** What kind of system the plugin watches (`tikv`, `etcd`). */
  readonly kind: string;
  /** The invariants, with overrides from the plugin's options already applied. */
  readonly invariants: readonly Invariant<Observation>[];
  /**
   * Reads the system once. Throwing (or rejecting) means the subject could not be read: every result
   * of the subject is `unknown` this cycle. Partial failures belong in the observation.
   */
  observe(context: ObserveContext): Promise<Observation>;
  /**
   * The secondary sources an observation read, by source name (`prometheus`), each `null` when it
   * answered or the reason it could not be read. A source absent from the record was not read this
   * cycle. The monitor tracks each as the key `<subject>/source_unreachable/<source>`, which opens
   * after `unreachableAfter` failed cycles in a row and resolves when the source answers again. The
   * primary source (the one without which `observe` throws) is tracked by `subject_unreachable`.
   */
  sources?(observation: Observation): Readonly<Record<string, string | null>>;
  /**
   * The identity of the system an observation came from (PD's cluster id, etcd's cluster id), if it
   * could be read. The store keeps the last identity per subject; an observation with another one is
   * not trusted (every result `unknown`) and the key `<subject>/identity_changed/subject` opens at once.
   * A person resolving that ticket accepts the new identity.
   */
  identity?(observation: Observation): string | undefined;
  /** Releases connections or timers. Called once when the monitor stops. */
  dispose?(): void | Promise<void>;
}

/** What a subject plugin's package exports by default: options in, subject out. */
export type SubjectFactory<Options = never, Observation = unknown> = (
  options: Options,
) => Subject<Observation>;

/** True when an evaluation is {@link UnknownEvaluation}. */
export function isUnknownEvaluation(evaluation: Evaluation): evaluation is UnknownEvaluation {
  return !Array.isArray(evaluation);
}
