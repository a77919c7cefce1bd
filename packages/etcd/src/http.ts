import type { ObservationFailure } from "@operator/core";
import type { z } from "zod";
import { BodyTooLarge, readCappedText } from "./body.ts";
import { EtcdRequestError } from "./errors.ts";

/** What every request is given: the cycle's signal, a per-request timeout and extra headers. */
export interface RequestContext {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Largest body read (bytes, after decompression); a larger one fails as `invalid_response`. */
  readonly maxBodyBytes: number;
  /** Replaces every secret (header values) in a message by `[redacted]`. */
  readonly redact: (text: string) => string;
}

/** Same-origin redirects followed per request, at most. */
export const MAX_REDIRECTS = 5;

/** A response with an accepted status. */
export interface TextResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends one request with node's built-in fetch, bounded by the context's signal and timeout, reading
 * at most `maxBodyBytes` of the answer. Redirects are followed on the same origin only (with the same
 * headers); a redirect to another origin is refused. Resolves for statuses in `accept` (default: 2xx);
 * rejects with an {@link EtcdRequestError} otherwise, its message free of the context's secrets.
 */
export async function request(
  method: "GET" | "POST",
  url: string,
  context: RequestContext,
  options: { body?: unknown; accept?: readonly number[] } = {},
): Promise<TextResponse> {
  const what = `${method} ${url}`;
  const timeout = AbortSignal.timeout(Math.max(1, context.timeoutMs));
  const signal = AbortSignal.any([context.signal, timeout]);
  const headers: Record<string, string> = { ...context.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  try {
    let target = new URL(url);
    for (let hops = 0; ; hops += 1) {
      const response = await fetch(target, {
        method,
        headers,
        signal,
        redirect: "manual",
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
      });
      const location = response.headers.get("location");
      if (response.status >= 300 && response.status <= 399 && location !== null) {
        await response.body?.cancel().catch(() => undefined);
        target = _redirect(what, url, target, location, response.status, hops, context);
        continue;
      }
      const text = await readCappedText(response, context.maxBodyBytes);
      const accepted = options.accept ? options.accept.includes(response.status) : response.ok;
      if (!accepted) {
        const detail = text.trim().slice(0, 200);
        throw new EtcdRequestError(
          context.redact(
            `[etcd] ${what} failed with status ${response.status}${detail ? `: ${detail}` : ""}`,
          ),
          { url, status: response.status, reason: _statusReason(response.status) },
        );
      }
      return { status: response.status, text };
    }
  } catch (error) {
    if (error instanceof EtcdRequestError) throw error;
    if (error instanceof BodyTooLarge) {
      throw new EtcdRequestError(`[etcd] ${what} returned an invalid response: ${error.message}`, {
        url,
        reason: "invalid_response",
      });
    }
    if (context.signal.aborted) {
      throw new EtcdRequestError(`[etcd] ${what} aborted`, { url, reason: "aborted" });
    }
    if (timeout.aborted) {
      throw new EtcdRequestError(`[etcd] ${what} timed out after ${context.timeoutMs} ms`, {
        url,
        reason: "timeout",
      });
    }
    throw new EtcdRequestError(context.redact(`[etcd] ${what} failed: ${_describe(error)}`), {
      url,
      reason: "unreachable",
    });
  }
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

/** The next URL of a same-origin redirect; throws for another origin or too many hops. */
function _redirect(
  what: string,
  url: string,
  from: URL,
  location: string,
  status: number,
  hops: number,
  context: RequestContext,
): URL {
  let next: URL | undefined;
  try {
    next = new URL(location, from);
  } catch {
    next = undefined;
  }
  if (next === undefined || next.origin !== from.origin) {
    const shown = next ? `${next.origin}${next.pathname}` : JSON.stringify(location.slice(0, 100));
    throw new EtcdRequestError(
      context.redact(
        `[etcd] ${what} redirected (${status}) to another origin, ${shown}; cross-origin redirects are not followed`,
      ),
      { url, status, reason: "invalid_response" },
    );
  }
  if (hops >= MAX_REDIRECTS) {
    throw new EtcdRequestError(`[etcd] ${what} redirected more than ${MAX_REDIRECTS} times`, {
      url,
      status,
      reason: "invalid_response",
    });
  }
  return next;
}

function _statusReason(status: number): ObservationFailure {
  if (status === 401 || status === 403) return "auth";
  return status >= 500 ? "server_error" : "client_error";
}

function _describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
