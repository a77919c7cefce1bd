import { ObservationError, type ObservationFailure } from "@operator/core";

/** A request that produced no response: the connection failed (TLS included), timed out or was aborted. */
export class TransportFailure extends Error {
  override name = "TransportFailure";
  constructor(
    readonly reason: Extract<ObservationFailure, "timeout" | "unreachable" | "aborted">,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * An answer arrived but was refused: its body exceeds the cap, or it redirects to another origin
 * (headers and credentials are never sent to another origin, and its answer is never used).
 */
export class RefusedAnswer extends Error {
  override name = "RefusedAnswer";
  readonly reason = "invalid_response" as const;
  constructor(
    readonly detail: string,
    /** Why: the body passed the cap, the server redirected to another origin, or redirected too often. */
    readonly kind: "body_too_large" | "cross_origin_redirect" | "too_many_redirects" = "body_too_large",
  ) {
    super(detail);
  }
}

/** Facts about one failed HTTP exchange. */
export interface RequestErrorDetails {
  /** Why it failed; also a label for logs and metrics. */
  readonly reason: ObservationFailure;
  /** The HTTP status, when a response arrived. */
  readonly status?: number | undefined;
  /** Whether another attempt could succeed (timeouts, 5xx, refused connections). */
  readonly retryable?: boolean | undefined;
  /** What the server said, or why the connection failed, already shortened and redacted. */
  readonly detail?: string | undefined;
}

/**
 * One request of a {@link HttpClient} failed: `GET <url><endpoint>` timed out, could not connect
 * (TLS handshakes included), was refused, or answered with an error status. The message names the
 * server (`label`), the method and URL (without credentials or query string) and never a secret.
 */
export class HttpRequestError extends ObservationError {
  override name = "HttpRequestError";
  /** The path requested, e.g. `/api/v1/query`. */
  readonly endpoint: string;
  /** The server's base URL, without credentials. */
  readonly url: string;
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;
  constructor(label: string, method: string, url: string, endpoint: string, details: RequestErrorDetails) {
    super(
      `${label} request ${describeFailure(details)}: ${method} ${url}${endpoint}${_suffix(details.detail)}`,
      {
        reason: details.reason,
        retryable: details.retryable ?? defaultRetryable(details.reason),
      },
    );
    this.endpoint = endpoint;
    this.url = url;
    this.status = details.status;
  }
}

/**
 * A response arrived but does not have the documented shape: not JSON, or a field missing or of the
 * wrong type. Names the server, the endpoint and the path of the offending field (`data.result[2].value`).
 */
export class ResponseShapeError extends ObservationError {
  override name = "ResponseShapeError";
  /** The path requested. */
  readonly endpoint: string;
  /** Where in the body the problem is; empty for the whole body. */
  readonly field: string;
  /** Which server answered (the client's `source`, e.g. `prometheus`). */
  readonly source: string;
  constructor(label: string, endpoint: string, field: string, problem: string, source = "") {
    const where = field === "" ? "" : ` at \`${field}\``;
    super(`${label} returned an invalid response for GET ${endpoint}${where}: ${problem}`, {
      reason: "invalid_response",
      retryable: false,
    });
    this.endpoint = endpoint;
    this.field = field;
    this.source = source;
  }
}

/** Statuses worth another attempt: the server may answer differently a moment later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/** The failure an error status stands for: 401/403 `auth`, other 4xx `client_error`, 5xx `server_error`. */
export function statusFailure(status: number): { reason: ObservationFailure; retryable: boolean } {
  if (status === 401 || status === 403) return { reason: "auth", retryable: false };
  if (status >= 400 && status < 500) return { reason: "client_error", retryable: isRetryableStatus(status) };
  if (status >= 500) return { reason: "server_error", retryable: isRetryableStatus(status) };
  return { reason: "invalid_response", retryable: false };
}

/** `timed out`, `could not connect`, `failed with status 503`...: the verb phrase of an error message. */
export function describeFailure(details: RequestErrorDetails): string {
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

/** Whether a failure of this kind may pass on another attempt. */
export function defaultRetryable(reason: ObservationFailure): boolean {
  return reason === "timeout" || reason === "unreachable" || reason === "server_error";
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

function _suffix(detail: string | undefined): string {
  return detail ? ` (${detail})` : "";
}
