import { ObservationError } from "@operator/core";
import { defaultRetryable, describeFailure, type RequestErrorDetails } from "@operator/subject-kit";

export { PrometheusError, ResponseShapeError } from "@operator/subject-kit";
export type { RequestErrorDetails };

/** Prefix of every message this plugin writes. */
export const PREFIX = "[operator] [tikv]";

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
        retryable: details.retryable ?? defaultRetryable(details.reason),
      },
    );
    this.endpoint = endpoint;
    this.url = details.url;
    this.status = details.status;
  }
}

// --- Internal helpers ---

function suffix(detail: string | undefined): string {
  return detail ? ` (${detail})` : "";
}
