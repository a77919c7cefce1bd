import type { ObservationFailure } from "@operator/core";
import {
  createHttpClient,
  type HttpClient,
  type HttpResponse,
  RefusedAnswer,
  type ResolvedTls,
  TransportFailure,
} from "@operator/subject-kit";
import type { z } from "zod";
import { EtcdRequestError } from "./errors.ts";

/** How to reach one kind of server (the members, or Prometheus): one kit client per origin. */
export interface ClientSettings {
  readonly timeoutMs: number;
  /** Extra attempts of a GET after a transient failure (never past the cycle's deadline). */
  readonly retries: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Largest body read (bytes, after decompression); a larger one fails as `invalid_response`. */
  readonly maxBodyBytes: number;
  readonly tls: ResolvedTls | undefined;
}

/** What every request is given: the cycle's signal and deadline, and the clients to send it with. */
export interface RequestContext {
  readonly signal: AbortSignal;
  /** Epoch ms: no attempt starts or continues past it. */
  readonly deadline?: number;
  /** The client for an origin (`http://10.0.1.5:2379`), created once and kept. */
  readonly client: (origin: string) => HttpClient;
  /** Replaces every secret (header values) in a message by `[redacted]`. */
  readonly redact: (text: string) => string;
}

/** A response with an accepted status. */
export interface TextResponse {
  readonly status: number;
  readonly text: string;
}

/** Keeps one kit HTTP client per origin, all with the same settings. */
export function createClientPool(settings: ClientSettings): (origin: string) => HttpClient {
  const clients = new Map<string, HttpClient>();
  return (origin) => {
    let client = clients.get(origin);
    if (!client) {
      client = createHttpClient({ source: "etcd", label: "[etcd]", baseUrl: origin, ...settings });
      clients.set(origin, client);
    }
    return client;
  };
}

/**
 * Sends one request with the subject-kit client of the URL's origin: bounded by the context's
 * signal, deadline and per-attempt timeout, GETs retried on transient failures, at most
 * `maxBodyBytes` read, redirects followed on the same origin only. Resolves for statuses in `accept`
 * (default: 2xx); rejects with an {@link EtcdRequestError} otherwise, its message free of secrets.
 */
export async function request(
  method: "GET" | "POST",
  url: string,
  context: RequestContext,
  options: { body?: unknown; accept?: readonly number[] } = {},
): Promise<TextResponse> {
  const what = `${method} ${url}`;
  const target = new URL(url);
  const client = context.client(target.origin);
  const call = {
    signal: context.signal,
    ...(context.deadline === undefined ? {} : { deadline: context.deadline }),
  };
  let response: HttpResponse;
  try {
    response =
      method === "GET"
        ? await client.get(target.pathname, target.searchParams, call)
        : await client.post(target.pathname, options.body ?? {}, call);
  } catch (error) {
    if (error instanceof RefusedAnswer) {
      const message =
        error.kind === "body_too_large" ? `returned an invalid response: ${error.detail}` : error.detail;
      throw new EtcdRequestError(context.redact(`[etcd] ${what} ${message}`), {
        url,
        reason: "invalid_response",
      });
    }
    if (error instanceof TransportFailure) {
      const verb =
        error.reason === "unreachable" ? "failed" : error.reason === "aborted" ? "aborted" : "timed out";
      const detail = error.reason === "aborted" ? "" : `: ${error.detail}`;
      throw new EtcdRequestError(context.redact(`[etcd] ${what} ${verb}${detail}`), {
        url,
        reason: error.reason,
      });
    }
    throw error;
  }
  const accepted = options.accept
    ? options.accept.includes(response.status)
    : response.status >= 200 && response.status <= 299;
  if (!accepted) {
    const detail = response.text.trim().slice(0, 200);
    throw new EtcdRequestError(
      context.redact(`[etcd] ${what} failed with status ${response.status}${detail ? `: ${detail}` : ""}`),
      { url, status: response.status, reason: _statusReason(response.status) },
    );
  }
  return response;
}

/** Parses a response body as JSON and validates it; a mismatch is an `invalid_response` error. */
export function parseJson<T>(
  url: string,
  text: string,
  schema: z.ZodType<T>,
  redact: (text: string) => string = (value) => value,
): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new EtcdRequestError(`[etcd] ${url} returned invalid JSON`, { url, reason: "invalid_response" });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "body";
    throw new EtcdRequestError(
      redact(`[etcd] ${url} returned an unexpected shape at ${where}: ${issue?.message}`),
      { url, reason: "invalid_response" },
    );
  }
  return parsed.data;
}

// --- Internal helpers ---

function _statusReason(status: number): ObservationFailure {
  if (status === 401 || status === 403) return "auth";
  return status >= 500 ? "server_error" : "client_error";
}
