import type { KeyOutcome } from "./decide-key.ts";
import type { KeyState } from "./store.ts";

/** Invariant name of the key that opens when a subject reports another identity than the stored one. */
export const IDENTITY_INVARIANT = "identity_changed";

/** Entity of the identity key: `<subject>/identity_changed/subject`. */
export const IDENTITY_ENTITY = "subject";

/** Longest identity a subject may report (characters). */
export const MAX_IDENTITY_LENGTH = 256;

/**
 * The identity a store keeps per subject (PD's cluster id, etcd's cluster id): the accepted one, and
 * the differing one last observed while it waits for a person to accept it.
 */
export interface SubjectIdentity {
  readonly subject: string;
  /** The accepted identity: observations with another one are not trusted. */
  readonly identity: string;
  /** Another identity observed since, awaiting acceptance; null when none. */
  readonly pending: string | null;
  readonly updatedAt: number;
}

/** What the identity check decided for one subject this cycle. */
export interface IdentityDecision {
  /** False when the observation comes from another system than the accepted one. */
  readonly trusted: boolean;
  /** Why the results are unknown when not trusted. */
  readonly reason: string | null;
  /** The outcome of the `identity_changed` key; null leaves the key untouched. */
  readonly outcome: KeyOutcome | null;
  /** The identity row to write; null writes nothing. */
  readonly write: SubjectIdentity | null;
}

/**
 * Checks an observed identity against the stored one (monitor-semantics rule 12). The first identity
 * seen is stored. Another identity is not trusted and violates `identity_changed` (critical, no grace)
 * until a person resolves that ticket: the identity key is then still violated in its state while no
 * ticket is open, and the next observation of the same pending identity is accepted. An identity
 * that changes again meanwhile becomes the pending one and opens a new ticket.
 */
export function checkIdentity(
  subject: string,
  observed: string | undefined,
  stored: SubjectIdentity | undefined,
  keyState: KeyState | undefined,
  ticketOpen: boolean,
  now: number,
): IdentityDecision {
  if (observed === undefined) return { trusted: true, reason: null, outcome: null, write: null };
  const row = (identity: string, pending: string | null): SubjectIdentity => ({
    subject,
    identity,
    pending,
    updatedAt: now,
  });
  if (stored === undefined) {
    return { trusted: true, reason: null, outcome: { outcome: "ok" }, write: row(observed, null) };
  }
  if (observed === stored.identity) {
    return {
      trusted: true,
      reason: null,
      outcome: { outcome: "ok", reason: `identity is ${JSON.stringify(observed)} again` },
      write: stored.pending === null ? null : row(observed, null),
    };
  }
  const resolvedByPerson = keyState?.pendingSince != null && !ticketOpen;
  if (resolvedByPerson && stored.pending === observed) {
    const accepted = `identity ${JSON.stringify(observed)} accepted`;
    return {
      trusted: true,
      reason: null,
      outcome: { outcome: "ok", gone: accepted },
      write: row(observed, null),
    };
  }
  const both = `${JSON.stringify(observed)}, but the last identity seen was ${JSON.stringify(stored.identity)}`;
  return {
    trusted: false,
    reason: `identity changed: subject "${subject}" reports ${both}`,
    outcome: {
      outcome: "violated",
      severity: "critical",
      message:
        `Subject "${subject}" reports identity ${both}: every result of "${subject}" is unknown. ` +
        "If the new system is the right one, resolve this ticket (operator tickets resolve <id>) to accept its identity.",
      values: { identity: observed, previous: stored.identity },
    },
    write: stored.pending === observed ? null : row(stored.identity, observed),
  };
}
