import type { ObservationFailure } from "@operator/core";
import ky, { type KyInstance } from "ky";
import { BodyTooLarge, readCappedText } from "./body.ts";
import { createRedactor, secretsOf } from "./redact.ts";

/** One HTTP request, as reported to {@link HttpSettings.onRequest}. */
export interface RequestEvent {
  /** Which server was asked. */
  readonly source: "pd" | "prometheus";
  /** The path requested, without query string, e.g. `/pd/api/v1/stores` or `/api/v1/query`. */
  readonly endpoint: string;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
}

/** The time budget of one call: the cycle's signal and deadline. */
export interface CallContext {
  /** Aborted at the cycle's deadline or at shutdown. */
  readonly signal?: AbortSignal;
  /** Epoch ms after which no attempt starts or continues. */
  readonly deadline?: number;
  /** Called before every attempt of this call, after the client's own hook. */
  readonly onRequest?: (event: RequestEvent) => void;
}

/** How a client talks to its server. */
export interface HttpSettings {
  readonly source: "pd" | "prometheus";
  readonly baseUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Budget of one attempt, including reading the body. */
  readonly timeoutMs: number;
  /** Extra attempts after a retryable failure (never past the deadline). */
  readonly retries: number;
  /** Largest body read (bytes, after decompression); a larger one is refused unread. */
  readonly maxBodyBytes: number;
  readonly onRequest?: ((event: RequestEvent) => void) | undefined;
}

/** A response that arrived, whatever its status. */
export interface HttpResponse {
  readonly status: number;
  readonly text: string;
}

/** A request that produced no response: the connection failed, timed out or was aborted. */
export class TransportFailure extends Error {
  constructor(
    readonly reason: Extract<ObservationFailure, "timeout" | "unreachable" | "aborted">,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}

/**
 * An answer arrived but was refused: its body exceeds the cap, or it redirects to another origin
 * (custom headers and credentials are never sent to another origin, and its answer is never used).
 */
export class RefusedAnswer extends Error {
  readonly reason = "invalid_response" as const;
  constructor(readonly detail: string) {
    super(detail);
  }
}

/** Same-origin redirects followed per attempt, at most. */
export const MAX_REDIRECTS = 5;

/** Statuses worth another attempt: the server may answer differently a moment later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status !== 501);
}

/**
 * A GET client with a per-attempt timeout that also covers the body, retries for retryable failures
 * only, and a hard stop at the caller's deadline or signal. Uses ky for the requests themselves.
 */
export function createHttp(settings: HttpSettings) {
  const { baseUrl, headers } = _splitCredentials(settings.baseUrl, settings.headers);
  const redact = createRedactor(secretsOf(headers, settings.baseUrl));
  const origin = new URL(baseUrl).origin;
  const client: KyInstance = ky.create({
    headers: { accept: "application/json", ...headers },
    retry: 0,
    timeout: false,
    throwHttpErrors: false,
    redirect: "manual",
  });

  async function attempt(path: string, search: URLSearchParams | undefined, context: CallContext, n: number) {
    const remaining = (context.deadline ?? Number.POSITIVE_INFINITY) - Date.now();
    if (remaining <= 0) throw new TransportFailure("timeout", "the cycle's deadline has passed");
    const budget = Math.min(settings.timeoutMs, remaining);
    const timer = AbortSignal.timeout(budget);
    const signal = context.signal ? AbortSignal.any([context.signal, timer]) : timer;
    const event: RequestEvent = { source: settings.source, endpoint: `/${path}`, attempt: n };
    settings.onRequest?.(event);
    context.onRequest?.(event);
    try {
      let url = new URL(`${baseUrl}/${path}`);
      if (search) url.search = search.toString();
      for (let hops = 0; ; hops += 1) {
        const response = await client.get(url, { signal });
        const location = response.headers.get("location");
        if (response.status < 300 || response.status > 399 || location === null) {
          return { status: response.status, text: await readCappedText(response, settings.maxBodyBytes) };
        }
        await response.body?.cancel().catch(() => undefined);
        const target = _resolve(location, url);
        if (target === undefined || target.origin !== origin) {
          throw new RefusedAnswer(
            `redirected (${response.status}) to another origin, ${redact(_shown(location, url))}; cross-origin redirects are not followed`,
          );
        }
        if (hops >= MAX_REDIRECTS) throw new RefusedAnswer(`more than ${MAX_REDIRECTS} redirects`);
        url = target;
      }
    } catch (error) {
      if (error instanceof RefusedAnswer) throw error;
      if (error instanceof BodyTooLarge) throw new RefusedAnswer(error.message);
      if (context.signal?.aborted) {
        const reason = context.signal.reason as { name?: string } | undefined;
        const pastDeadline =
          context.deadline !== undefined && Date.now() >= context.deadline - DEADLINE_SLACK_MS;
        if (reason?.name === "TimeoutError" || pastDeadline) {
          throw new TransportFailure("timeout", "the cycle's deadline has passed");
        }
        throw new TransportFailure("aborted", "the request was cancelled");
      }
      if (timer.aborted) {
        throw new TransportFailure("timeout", `no complete answer within ${budget} ms`);
      }
      throw new TransportFailure("unreachable", redact(_networkDetail(error)));
    }
  }

  return {
    /** Replaces every secret of this client (header values, URL credentials) in `text` by `[redacted]`. */
    redact,
    /** GETs `path` (relative to the base URL) and returns the response, retrying where it makes sense. */
    async get(path: string, search?: URLSearchParams, context: CallContext = {}): Promise<HttpResponse> {
      for (let n = 0; ; n += 1) {
        let outcome: HttpResponse | TransportFailure;
        try {
          outcome = await attempt(path.replace(/^\//, ""), search, context, n);
          if (!isRetryableStatus(outcome.status) || !_mayRetry(n, settings, context)) return outcome;
        } catch (error) {
          if (!(error instanceof TransportFailure)) throw error;
          if (error.reason === "aborted" || !_mayRetry(n, settings, context)) throw error;
          outcome = error;
        }
        await _sleep(_backoff(n), context.signal);
        if (context.signal?.aborted) {
          if (outcome instanceof TransportFailure) throw outcome;
          return outcome;
        }
      }
    },
  };
}

/** The client {@link createHttp} returns. */
export type Http = ReturnType<typeof createHttp>;

/** The failure an error status stands for: 401/403 `auth`, other 4xx `client_error`, 5xx `server_error`. */
export function statusFailure(status: number): { reason: ObservationFailure; retryable: boolean } {
  if (status === 401 || status === 403) return { reason: "auth", retryable: false };
  if (status >= 400 && status < 500) return { reason: "client_error", retryable: isRetryableStatus(status) };
  if (status >= 500) return { reason: "server_error", retryable: isRetryableStatus(status) };
  return { reason: "invalid_response", retryable: false };
}

// --- Internal helpers ---

/** Credentials in a URL (`http://user:pass@host`) become a Basic header: fetch refuses such URLs. */
function _splitCredentials(url: string, headers: Readonly<Record<string, string>>) {
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { baseUrl: url, headers };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  const hasAuth = Object.keys(headers).some((key) => key.toLowerCase() === "authorization");
  return {
    baseUrl: parsed.toString().replace(/\/+$/, ""),
    headers: hasAuth
      ? headers
      : { ...headers, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
  };
}

const MIN_ATTEMPT_MS = 100;
/** A signal aborted this close to the deadline was aborted by the deadline: a timeout. */
const DEADLINE_SLACK_MS = 20;

function _backoff(n: number): number {
  return Math.min(100 * 2 ** n, 1000);
}

function _mayRetry(n: number, settings: HttpSettings, context: CallContext): boolean {
  if (n >= settings.retries || context.signal?.aborted) return false;
  const deadline = context.deadline ?? Number.POSITIVE_INFINITY;
  return Date.now() + _backoff(n) + MIN_ATTEMPT_MS < deadline;
}

function _sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** The redirect target, or undefined when `location` is not a URL. */
function _resolve(location: string, from: URL): URL | undefined {
  try {
    return new URL(location, from);
  } catch {
    return undefined;
  }
}

/** The redirect target as shown in messages: without userinfo, query or fragment. */
function _shown(location: string, from: URL): string {
  const target = _resolve(location, from);
  if (!target) return JSON.stringify(location.slice(0, 100));
  return `${target.origin}${target.pathname}`;
}

function _networkDetail(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}
