import { ObservationError, type ObservationFailure } from "@operator/core";

/** Prefix of every message this plugin writes. */
export const PREFIX = "[operator] [tikv]";

/** Facts about one failed HTTP exchange, shared by {@link PdError} and {@link PrometheusError}. */
export interface RequestErrorDetails {
  /** Why it failed; also a label for logs and metrics. */
  readonly reason: ObservationFailure;
  /** The HTTP status, when a response arrived. */
  readonly status?: number;
  /** Whether another attempt could succeed (timeouts, 5xx, refused connections). */
  readonly retryable?: boolean;
  /** What the server said (PD's error string, Prometheus's `error`), already shortened. */
  readonly detail?: string | undefined;
  readonly cause?: unknown;
}

/**
 * PD could not be read: `GET <endpoint>` timed out, was refused, or answered with an error status.
 * `endpoint` is the path, e.g. `/pd/api/v1/stores`; `url` the PD member asked.
 */
export class PdError extends ObservationError {
  override name = "PdError";
  /** The path requested, e.g. `/pd/api/v1/stores`. */
  readonly endpoint: string;
  /** The PD member asked (its base URL, without credentials), when known. */
  readonly url: string | undefined;
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;
  constructor(endpoint: string, details: RequestErrorDetails & { url?: string | undefined }) {
    super(
      `${PREFIX} PD request ${describeFailure(details)}: GET ${details.url ?? ""}${endpoint}${suffix(details.detail)}`,
      {
        reason: details.reason,
        retryable: details.retryable ?? defaultRetryable(details),
        cause: details.cause,
      },
    );
    this.endpoint = endpoint;
    this.url = details.url;
    this.status = details.status;
  }
}

/**
 * Prometheus could not be read, or refused the query (`status: "error"`). `url` is the request URL
 * without credentials or query string; `errorType` is Prometheus's own (`bad_data`, `timeout`, ...).
 */
export class PrometheusError extends ObservationError {
  override name = "PrometheusError";
  /** The endpoint requested, without credentials or query string. */
  readonly url: string;
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;
  /** Prometheus's `errorType`, when it answered `status: "error"`. */
  readonly errorType: string | undefined;
  /** The PromQL query, when the request was a query. */
  readonly query: string | undefined;
  constructor(url: string, details: RequestErrorDetails & { errorType?: string; query?: string }) {
    super(`${PREFIX} Prometheus request ${describeFailure(details)}: GET ${url}${suffix(details.detail)}`, {
      reason: details.reason,
      retryable: details.retryable ?? defaultRetryable(details),
      cause: details.cause,
    });
    this.url = url;
    this.status = details.status;
    this.errorType = details.errorType;
    this.query = details.query;
  }
}

/**
 * A response arrived but does not have the documented shape: not JSON, or a field missing or of the
 * wrong type. Names the endpoint and the path of the offending field, e.g. `stores[2].store.id`.
 */
export class ResponseShapeError extends ObservationError {
  override name = "ResponseShapeError";
  /** Which server answered. */
  readonly source: "pd" | "prometheus";
  /** The path requested. */
  readonly endpoint: string;
  /** Where in the body the problem is (`stores[0].status.capacity`); empty for the whole body. */
  readonly field: string;
  constructor(
    source: "pd" | "prometheus",
    endpoint: string,
    field: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    const who = source === "pd" ? "PD" : "Prometheus";
    const where = field === "" ? "" : ` at \`${field}\``;
    super(`${PREFIX} ${who} returned an invalid response for GET ${endpoint}${where}: ${problem}`, {
      reason: "invalid_response",
      retryable: false,
      cause: options?.cause,
    });
    this.source = source;
    this.endpoint = endpoint;
    this.field = field;
  }
}

// --- Internal helpers ---

function describeFailure(details: RequestErrorDetails): string {
  switch (details.reason) {
    case "timeout":
      return "timed out";
    case "unreachable":
      return "could not connect";
    case "aborted":
      return "was aborted";
    case "invalid_response":
      return "returned an invalid response";
    default:
      return details.status === undefined ? "failed" : `failed with status ${details.status}`;
  }
}

function suffix(detail: string | undefined): string {
  return detail ? ` (${detail})` : "";
}

function defaultRetryable(details: RequestErrorDetails): boolean {
  return (
    details.reason === "timeout" || details.reason === "unreachable" || details.reason === "server_error"
  );
}

/**
 * The same error with every secret replaced in its message (see `createRedactor`) and its `cause`
 * dropped: a cause (a fetch error, a zod issue list) may quote header values or response bodies.
 */
export function redactError<E extends Error>(error: E, redact: (text: string) => string): E {
  error.message = redact(error.message);
  if ("cause" in error) Object.defineProperty(error, "cause", { value: undefined, enumerable: false });
  return error;
}
