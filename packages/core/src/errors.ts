const BRAND = Symbol.for("@operator/core.OperatorError");

/**
 * What kind of failure an {@link OperatorError} is; the CLI maps each to one exit code.
 * - `config`: a configuration or option that cannot work (exit 2)
 * - `usage`: the command was invoked wrongly, e.g. nothing names a cluster (exit 2)
 * - `database`: the database cannot be used (exit 4)
 * - `refused`: a request that the data refuses, e.g. an unknown ticket id or a refused transition (exit 1)
 * - `observation`: a subject could not be read (exit 3)
 * - `internal`: a bug in operator (exit 70)
 */
export type ErrorCategory = "config" | "usage" | "database" | "refused" | "observation" | "internal";

/** Every {@link ErrorCategory}. */
export const ERROR_CATEGORIES: readonly ErrorCategory[] = [
  "config",
  "usage",
  "database",
  "refused",
  "observation",
  "internal",
];

/** Options of {@link OperatorError}: the standard `cause`, and a category overriding the class's default. */
export interface OperatorErrorOptions extends ErrorOptions {
  readonly category?: ErrorCategory;
}

/**
 * Base class of every error Operator raises on purpose. Messages state facts and start with
 * `[operator]`. Use {@link isOperatorError} rather than `instanceof`: it survives duplicate installs.
 * Each error has a {@link ErrorCategory}: the class's static `defaultCategory` (inherited by
 * subclasses; `internal` here) unless the constructor's options name one.
 */
export class OperatorError extends Error {
  /** The category of this class's errors unless the constructor is given one. */
  static readonly defaultCategory: ErrorCategory = "internal";
  override name = "OperatorError";
  /** What kind of failure this is; the CLI's exit code follows from it. */
  readonly category: ErrorCategory;
  get [BRAND](): true {
    return true;
  }
  constructor(message: string, options?: OperatorErrorOptions) {
    super(
      message.startsWith("[operator]") ? message : `[operator] ${message}`,
      options?.cause !== undefined ? { cause: options.cause } : undefined,
    );
    this.category = options?.category ?? (new.target as typeof OperatorError).defaultCategory;
  }
}

/** True for any error derived from {@link OperatorError}, from any copy of this package. */
export function isOperatorError(error: unknown): error is OperatorError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** Configuration or options that cannot work: a missing option, a malformed URL, an unknown invariant. */
export class ConfigError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "config";
  override name = "ConfigError";
}

/** A command invoked in a way that cannot work: a missing argument, flags that exclude each other. */
export class UsageError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "usage";
  override name = "UsageError";
}

/** No ticket has this id. */
export class TicketNotFoundError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "refused";
  override name = "TicketNotFoundError";
  constructor(readonly ticketId: number) {
    super(`No ticket with id ${ticketId}`);
  }
}

/** A person asked for a change the ticket's state does not allow. */
export class TransitionError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "refused";
  override name = "TransitionError";
  constructor(
    readonly ticketId: number,
    readonly from: string,
    readonly to: string,
    reason?: string,
  ) {
    super(reason ?? `Ticket ${ticketId} cannot move from ${from} to ${to}`);
  }
}

/** Why reading a subject failed; a label for logs and metrics. */
export type ObservationFailure =
  | "timeout"
  | "unreachable"
  | "server_error"
  | "client_error"
  | "auth"
  | "invalid_response"
  | "aborted";

/**
 * A subject could not be read (or only partly). Plugins throw it from `observe` or keep it in their
 * observation for the invariants it affects; every affected result is then `unknown`.
 */
export class ObservationError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "observation";
  override name = "ObservationError";
  readonly reason: ObservationFailure;
  readonly retryable: boolean;
  constructor(
    message: string,
    options: { reason: ObservationFailure; retryable?: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.retryable = options.retryable ?? options.reason !== "client_error";
  }
}
