import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { DeliveryContext, DeliveryResult } from "@operator/core";
import { escapeExcerpt, readExcerpt } from "./body.ts";

/** One POST to a receiver. */
export interface PostRequest {
  readonly url: string;
  /** How the target appears in reasons (no secrets): e.g. `http://am:9093/api/v2/alerts`. */
  readonly display: string;
  /** The exact bytes sent (signatures are computed over them). */
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Longest wait for one request, ms; the delivery's deadline shortens it. */
  readonly timeoutMs: number;
  /** Most bytes of an answer read; the rest is dropped. */
  readonly maxBodyBytes: number;
  /** Removes secrets from a reason. */
  readonly redact: (text: string) => string;
}

/** Same-origin 307/308 redirects followed per request, at most. */
export const MAX_REDIRECTS = 3;

/** Longest `Retry-After` honoured, ms; a longer one is capped. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/**
 * POSTs a JSON body with node:http(s) (keep-alive connections from the default agents) and
 * classifies the answer; never throws. A URL's `user:password@` is sent as Basic auth (unless an
 * Authorization header is set). 2xx is `delivered`; 408, 429, 5xx, timeouts, aborts and connection
 * errors are `retry` (with `retryAfterMs` from `Retry-After` on 429 and 503); any other status, a
 * redirect to another origin or one that would change the method is `failed`, with the status and
 * a short escaped, redacted excerpt of the answer.
 */
export async function postJson(request: PostRequest, context: DeliveryContext): Promise<DeliveryResult> {
  const left = context.deadline - Date.now();
  if (context.signal.aborted)
    return { outcome: "retry", reason: `${request.display}: aborted before sending` };
  if (left <= 0) return { outcome: "retry", reason: `${request.display}: the delivery deadline had passed` };
  const timeoutMs = Math.max(1, Math.min(request.timeoutMs, left));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "accept-encoding": "identity",
    ...request.headers,
    "content-length": String(Buffer.byteLength(request.body)),
  };
  let target = new URL(request.url);
  if (target.username !== "" || target.password !== "") {
    const basic = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
    if (!Object.keys(headers).some((name) => name.toLowerCase() === "authorization")) {
      headers.authorization = `Basic ${Buffer.from(basic, "utf8").toString("base64")}`;
    }
    target.username = "";
    target.password = "";
  }
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const stop = () => controller.abort();
  context.signal.addEventListener("abort", stop, { once: true });
  try {
    for (let hops = 0; ; hops += 1) {
      const response = await send(target, headers, request.body, controller.signal);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status <= 399) {
        response.destroy();
        const next = _followable(target, status, response.headers.location, hops);
        if (typeof next === "string") {
          return {
            outcome: "failed",
            reason: request.redact(`${request.display} answered ${status}: ${next}`),
          };
        }
        target = next;
        continue;
      }
      const excerpt = await readExcerpt(response, request.maxBodyBytes);
      return _classify(request, response, excerpt.text, excerpt.truncated);
    }
  } catch (error) {
    if (timedOut && !context.signal.aborted) {
      return { outcome: "retry", reason: `${request.display}: no answer within ${timeoutMs} ms` };
    }
    if (context.signal.aborted) return { outcome: "retry", reason: `${request.display}: aborted` };
    return { outcome: "retry", reason: request.redact(`${request.display}: ${_describe(error)}`) };
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener("abort", stop);
  }
}

/** Parses `Retry-After` (seconds or an HTTP date) into ms from now, capped; undefined when absent or bad. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS);
}

// --- Internal helpers ---

/** Sends one POST; resolves with the answer once its head has arrived. */
function send(
  target: URL,
  headers: Readonly<Record<string, string>>,
  body: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const open = target.protocol === "https:" ? httpsRequest : httpRequest;
    const outgoing = open(target, { method: "POST", headers, signal }, resolve);
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function _classify(
  request: PostRequest,
  response: IncomingMessage,
  text: string,
  truncated: boolean,
): DeliveryResult {
  const status = response.statusCode ?? 0;
  if (status >= 200 && status <= 299) return { outcome: "delivered" };
  const shown = escapeExcerpt(request.redact(text));
  const detail = `${shown ? `: ${shown}` : ""}${truncated ? ` (answer cut at ${request.maxBodyBytes} bytes)` : ""}`;
  const reason = request.redact(`${request.display} answered ${status}${detail}`);
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfter(response.headers["retry-after"] ?? null) : undefined;
    return retryAfterMs === undefined
      ? { outcome: "retry", reason }
      : { outcome: "retry", reason, retryAfterMs };
  }
  return { outcome: "failed", reason };
}

/** The next URL of a same-origin 307/308 redirect, or why it is not followed. */
function _followable(from: URL, status: number, location: string | undefined, hops: number): URL | string {
  if (location === undefined) return "a redirect without a Location";
  let next: URL;
  try {
    next = new URL(location, from);
  } catch {
    return "a redirect to a malformed Location";
  }
  if (next.origin !== from.origin) return `a redirect to another origin (${next.origin}), not followed`;
  if (status !== 307 && status !== 308) {
    return "a redirect that would turn the POST into a GET, not followed";
  }
  if (hops >= MAX_REDIRECTS) return `more than ${MAX_REDIRECTS} redirects`;
  return next;
}

/** Why a request got no answer: a system or TLS error code when there is one, else the message. */
function _describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && !code.startsWith("ERR_") && code !== "ABORT_ERR") {
    return `connection failed (${code})`;
  }
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === "string") return `connection failed (${cause.code})`;
  if (typeof cause?.message === "string") return `connection failed (${escapeExcerpt(cause.message)})`;
  return escapeExcerpt(error instanceof Error ? error.message : String(error));
}
