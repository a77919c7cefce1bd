import type { ErrorCategory } from "@operator/core";

/**
 * The exit codes of every `operator` command. They are part of the CLI's contract (docs/cli.md):
 * scripts, cron jobs and supervisors branch on them.
 */
export const EXIT = {
  /** Success; for `check`, every invariant passed. */
  ok: 0,
  /** `check` found violations, or a command failed (unknown ticket id, refused transition). */
  failure: 1,
  /** Usage error: unknown flag, bad value, missing or invalid configuration. */
  usage: 2,
  /** `check` could not read something: at least one result is unknown. */
  unknown: 3,
  /** The database cannot be used: missing, locked, read-only, not a database, or newer than this version. */
  database: 4,
  /** A bug in operator itself; the message asks for a report. */
  internal: 70,
} as const;

/** One of the {@link EXIT} codes. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of each error category: the one place where an error's kind becomes an exit code. */
export const EXIT_BY_CATEGORY: Readonly<Record<ErrorCategory, ExitCode>> = {
  config: EXIT.usage,
  usage: EXIT.usage,
  database: EXIT.database,
  refused: EXIT.failure,
  observation: EXIT.unknown,
  internal: EXIT.internal,
};

/**
 * The exit code for an error's category; an unknown or missing category (an error from a copy of
 * `@operator/core` older than categories) is an internal error.
 */
export function exitCodeForCategory(category: unknown): ExitCode {
  return typeof category === "string" && Object.hasOwn(EXIT_BY_CATEGORY, category)
    ? EXIT_BY_CATEGORY[category as ErrorCategory]
    : EXIT.internal;
}

/**
 * Ends a command with a given exit code and, optionally, one line for stderr. Commands throw it
 * instead of calling `process.exit`, so the top-level catch stays the only place that exits.
 */
export class ExitError extends Error {
  override name = "ExitError";
  constructor(
    readonly code: ExitCode,
    message = "",
  ) {
    super(message);
  }
}
