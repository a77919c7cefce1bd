const BRAND = Symbol.for("@operator/core.OperatorError");

/**
 * Base class of every error Operator raises on purpose. Messages state facts and start with
 * `[operator]`. Use {@link isOperatorError} rather than `instanceof`: it survives duplicate installs.
 */
export class OperatorError extends Error {
  override name = "OperatorError";
  get [BRAND](): true {
    return true;
  }
  constructor(message: string, options?: ErrorOptions) {
    super(message.startsWith("[operator]") ? message : `[operator] ${message}`, options);
  }
}

/** True for any error derived from {@link OperatorError}, from any copy of this package. */
export function isOperatorError(error: unknown): error is OperatorError {
  return typeof error === "object" && error !== null && (error as Record<symbol, unknown>)[BRAND] === true;
}

/** Configuration or options that cannot work: a missing option, a malformed URL, an unknown invariant. */
export class ConfigError extends OperatorError {
  override name = "ConfigError";
}

/** No ticket has this id. */
export class TicketNotFoundError extends OperatorError {
  override name = "TicketNotFoundError";
  constructor(readonly ticketId: number) {
    super(`No ticket with id ${ticketId}`);
  }
}

/** A person asked for a change the ticket's state does not allow. */
export class TransitionError extends OperatorError {
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
