import type { ObservationFailure } from "@operator/core";
import type { z } from "zod";
import { EtcdRequestError } from "./errors.ts";

/** What every request is given: the cycle's signal, a per-request timeout and extra headers. */
export interface RequestContext {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** A response with an accepted status. */
export interface TextResponse {
  readonly status: number;
  readonly text: string;
}

/**
 * Sends one request with node's built-in fetch, bounded by the context's signal and timeout. Resolves
 * for statuses in `accept` (default: 2xx); rejects with an {@link EtcdRequestError} otherwise.
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
    const response = await fetch(url, {
      method,
      headers,
      signal,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    const accepted = options.accept ? options.accept.includes(response.status) : response.ok;
    if (!accepted) {
      const detail = text.trim().slice(0, 200);
      throw new EtcdRequestError(
        `[etcd] ${what} failed with status ${response.status}${detail ? `: ${detail}` : ""}`,
        { url, status: response.status, reason: _statusReason(response.status) },
      );
    }
    return { status: response.status, text };
  } catch (error) {
    if (error instanceof EtcdRequestError) throw error;
    if (context.signal.aborted) {
      throw new EtcdRequestError(`[etcd] ${what} aborted`, { url, reason: "aborted", cause: error });
    }
    if (timeout.aborted) {
      throw new EtcdRequestError(`[etcd] ${what} timed out after ${context.timeoutMs} ms`, {
        url,
        reason: "timeout",
        cause: error,
      });
    }
    throw new EtcdRequestError(`[etcd] ${what} failed: ${_describe(error)}`, {
      url,
      reason: "unreachable",
      cause: error,
    });
  }
}

/** Parses a response body as JSON and validates it; a mismatch is an `invalid_response` error. */
export function parseJson<T>(url: string, text: string, schema: z.ZodType<T>): T {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new EtcdRequestError(`[etcd] ${url} returned invalid JSON`, {
      url,
      reason: "invalid_response",
      cause: error,
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join(".") : "body";
    throw new EtcdRequestError(`[etcd] ${url} returned an unexpected shape at ${where}: ${issue?.message}`, {
      url,
      reason: "invalid_response",
      cause: parsed.error,
    });
  }
  return parsed.data;
}

// --- Internal helpers ---

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
