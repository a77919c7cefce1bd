import { type ErrorCategory, OperatorError } from "./errors.ts";
import type { Ticket, TicketEvent } from "./ticket.ts";

/** The ticket fields a silence can match on. */
export const SILENCE_MATCHER_NAMES = ["subject", "invariant", "entity", "severity"] as const;

/** A ticket field a silence matches on. */
export type SilenceMatcherName = (typeof SILENCE_MATCHER_NAMES)[number];

/**
 * A cycle's snapshot carries the silences not ended this long before the store's clock, so a plan whose
 * clock differs a little from the store's still sees every silence active at its own time.
 */
export const SILENCE_SNAPSHOT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Longest matcher value accepted (exact or regex). */
export const MAX_MATCHER_VALUE_LENGTH = 1_000;

/** Longest comment or author name accepted on a silence. */
export const MAX_SILENCE_TEXT_LENGTH = 2_000;

/**
 * One condition of a silence: the field `name` equals `value` exactly, or (`regex`) the whole field
 * matches `value` as a regular expression (anchored at both ends, like Alertmanager).
 */
export interface SilenceMatcher {
  readonly name: SilenceMatcherName;
  readonly value: string;
  readonly regex: boolean;
}

/** What a person gives to create a silence. Times are epoch milliseconds. */
export interface SilenceDraft {
  /** Every matcher must match for a ticket to be silenced; at least one. */
  readonly matchers: readonly SilenceMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
}

/** A stored silence (a maintenance window). */
export interface Silence extends SilenceDraft {
  readonly id: number;
  readonly createdAt: number;
  /** When someone ended it early; null while it runs to `endsAt`. */
  readonly expiredAt: number | null;
  readonly expiredBy: string | null;
}

/** Options of {@link SilenceStore.listSilences}. */
export interface SilenceListOptions {
  /** Include silences that have ended (by time or by expiry). @default false */
  readonly all?: boolean;
  /** The time that decides which silences have ended. */
  readonly now: number;
}

/**
 * The silence port of a store: silences live in the ticket database (who, when, why) and survive
 * restarts. `@operator/db` on SQLite and `createMemoryTicketStore()` implement it the same way.
 */
export interface SilenceStore {
  /** Validates and stores a new silence; throws {@link InvalidSilenceError} for a bad draft. */
  addSilence(draft: SilenceDraft, now: number): Promise<Silence>;
  /** Silences newest first: those not yet ended at `now` (pending or active), or every one with `all`. */
  listSilences(options: SilenceListOptions): Promise<readonly Silence[]>;
  /**
   * Ends a silence at `now`, recording who did. A silence that has already ended is returned unchanged.
   * Throws {@link SilenceNotFoundError} for an unknown id.
   */
  expireSilence(id: number, by: string, now: number): Promise<Silence>;
  /** The silences in effect at `at`, oldest first. */
  activeSilences(at: number): Promise<readonly Silence[]>;
}

/** A matcher, duration or silence that cannot be used; the message names what was wrong. */
export class InvalidSilenceError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "usage";
  override name = "InvalidSilenceError";
}

/** No silence has the given id. */
export class SilenceNotFoundError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "refused";
  override name = "SilenceNotFoundError";
  constructor(readonly silenceId: number) {
    super(`No silence with id ${silenceId}`);
  }
}

/**
 * Parses `NAME=VALUE` (exact) or `NAME=~REGEX` (anchored regular expression). Throws
 * {@link InvalidSilenceError} naming the problem: unknown name, empty value, too long, bad regex.
 */
export function parseSilenceMatcher(text: string): SilenceMatcher {
  const at = text.indexOf("=");
  if (at <= 0) {
    throw new InvalidSilenceError(
      `Matcher ${JSON.stringify(text)} is not NAME=VALUE or NAME=~REGEX (NAME is one of ${SILENCE_MATCHER_NAMES.join(", ")})`,
    );
  }
  const name = text.slice(0, at).trim();
  const regex = text[at + 1] === "~";
  const value = text.slice(at + (regex ? 2 : 1));
  return checkMatcher({ name, value, regex });
}

/** Checks one matcher as stored or given; returns it typed or throws {@link InvalidSilenceError}. */
export function checkMatcher(matcher: { name: string; value: string; regex: boolean }): SilenceMatcher {
  const { name, value, regex } = matcher;
  if (!isMatcherName(name)) {
    throw new InvalidSilenceError(
      `Unknown matcher name ${JSON.stringify(name)}: use one of ${SILENCE_MATCHER_NAMES.join(", ")}`,
    );
  }
  if (value.length === 0) throw new InvalidSilenceError(`Matcher on ${name} has an empty value`);
  if (value.length > MAX_MATCHER_VALUE_LENGTH) {
    throw new InvalidSilenceError(`Matcher on ${name} is longer than ${MAX_MATCHER_VALUE_LENGTH} characters`);
  }
  if (regex) {
    try {
      anchored(value);
    } catch (error) {
      throw new InvalidSilenceError(
        `Matcher on ${name} is not a valid regular expression: ${(error as Error).message}`,
      );
    }
  }
  return { name, value, regex };
}

/** Checks a draft before it is stored; throws {@link InvalidSilenceError} naming the problem. */
export function checkSilenceDraft(draft: SilenceDraft): SilenceDraft {
  if (draft.matchers.length === 0) throw new InvalidSilenceError("A silence needs at least one matcher");
  const matchers = draft.matchers.map(checkMatcher);
  if (!Number.isFinite(draft.startsAt) || !Number.isFinite(draft.endsAt)) {
    throw new InvalidSilenceError("A silence needs a finite start and end time");
  }
  if (draft.endsAt <= draft.startsAt) throw new InvalidSilenceError("A silence must end after it starts");
  if (draft.comment.trim().length === 0) throw new InvalidSilenceError("A silence needs a comment (why)");
  if (draft.createdBy.trim().length === 0) throw new InvalidSilenceError("A silence needs an author");
  if (draft.comment.length > MAX_SILENCE_TEXT_LENGTH || draft.createdBy.length > MAX_SILENCE_TEXT_LENGTH) {
    throw new InvalidSilenceError(
      `A silence's comment and author are at most ${MAX_SILENCE_TEXT_LENGTH} characters`,
    );
  }
  return { ...draft, matchers };
}

/** When the silence stops covering tickets: its end, or its expiry if earlier. */
export function silenceEnd(silence: Silence): number {
  return silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt);
}

/** Whether `silence` is in effect at `at` (started, not yet ended nor expired). */
export function isSilenceActive(silence: Silence, at: number): boolean {
  return silence.startsAt <= at && at < silenceEnd(silence);
}

/** Whether every matcher of `silence` matches `ticket`. */
export function silenceMatches(
  silence: Pick<Silence, "matchers">,
  ticket: Pick<Ticket, SilenceMatcherName>,
): boolean {
  return silence.matchers.every((matcher) => {
    const field = ticket[matcher.name];
    return matcher.regex ? anchored(matcher.value).test(field) : field === matcher.value;
  });
}

/**
 * The dispatcher's `withhold` hook for silences: withholds every `silenced` event, and every
 * notification of a ticket that is silenced when it is sent (the ticket as stored then). A silence that
 * ends while the ticket is unresolved writes an `unsilenced` event, which is sent: the ticket's state
 * then, once. Events written under a silence but sent after it ended (a receiver that was down) go out.
 */
export function withholdSilenced(notification: {
  readonly ticket: Pick<Ticket, "silenced">;
  readonly event: Pick<TicketEvent, "kind">;
}): string | undefined {
  return notification.ticket.silenced || notification.event.kind === "silenced" ? "silenced" : undefined;
}

/** `NAME=VALUE` or `NAME=~REGEX`, as a person writes the matcher. */
export function formatSilenceMatcher(matcher: SilenceMatcher): string {
  return `${matcher.name}=${matcher.regex ? "~" : ""}${matcher.value}`;
}

function isMatcherName(name: string): name is SilenceMatcherName {
  return (SILENCE_MATCHER_NAMES as readonly string[]).includes(name);
}

const compiled = new Map<string, RegExp>();

function anchored(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    re = new RegExp(`^(?:${source})$`, "u");
    if (compiled.size > 1_000) compiled.clear();
    compiled.set(source, re);
  }
  return re;
}
