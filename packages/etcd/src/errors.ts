import { ObservationError, type ObservationFailure } from "@operator/core";

/**
 * One HTTP request to an etcd member (or to Prometheus) failed. Carries the URL, the HTTP status when
 * there was one, and the core's {@link ObservationFailure} reason for logs and metrics.
 */
export class EtcdRequestError extends ObservationError {
  override name = "EtcdRequestError";
  /** The URL that was requested, e.g. `http://10.0.1.5:2379/v3/maintenance/status`. */
  readonly url: string;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  constructor(
    message: string,
    options: { url: string; reason: ObservationFailure; status?: number; cause?: unknown },
  ) {
    super(message, { reason: options.reason, cause: options.cause });
    this.url = options.url;
    this.status = options.status;
  }
}
