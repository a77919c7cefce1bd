import { MAX_DURATION_MS } from "@operator/core";
import ky, { HTTPError, type KyInstance, TimeoutError } from "ky";
import type { z } from "zod";
import { BodyTooLarge, readCappedText } from "./body.ts";
import { decodeJsonSliced, type ListAt } from "./decode.ts";
import {
  HttpRequestError,
  isRetryableStatus,
  RefusedAnswer,
  redactError,
  statusFailure,
  TransportFailure,
} from "./errors.ts";
import { createNodeFetch } from "./node-fetch.ts";
import { createRedactor, secretsOf } from "./redact.ts";
import { describeTlsFailure, isTlsFailure, type ResolvedTls } from "./tls.ts";
import { withoutCredentials } from "./url.ts";

/** One HTTP request attempt, as reported to `onRequest`. */
export interface RequestEvent<S extends string = string> {
  /** Which server was asked (the client's `source`). */
  readonly source: S;
  /** The path requested, without query string, e.g. `/api/v1/query`. */
  readonly endpoint: string;
  /** 0 for the first attempt, 1 for the first retry, ... */
  readonly attempt: number;
}

/** The time budget of one call: the cycle's signal and deadline (pass `ObserveContext`'s). */
export interface CallContext<S extends string = string> {
  /** Aborted at the cycle's deadline or at shutdown. */
  readonly signal?: AbortSignal;
  /** Epoch ms after which no attempt starts or continues. */
  readonly deadline?: number;
  /** Called before every attempt of this call, after the client's own hook. */
  readonly onRequest?: (event: RequestEvent<S>) => void;
}

/** How a client talks to its server. */
export interface HttpClientOptions<S extends string = string> {
  /** A short name of the server, reported in {@link RequestEvent}s (`pd`, `prometheus`, `member`). */
  readonly source: S;
  /** Starts every error message, e.g. `[operator] [promql] Prometheus`. */
  readonly label: string;
  /** The server's base URL; paths are appended. Credentials in it become a Basic `Authorization` header. */
  readonly baseUrl: string;
  /** Sent with every request (see `resolveAuth`); every value is a secret. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Client certificate, CA and server name for `https://` (see `resolveTls`). */
  readonly tls?: ResolvedTls | undefined;
  /** Budget of one attempt (ms), body included. @default 5000 */
  readonly timeoutMs?: number;
  /** Extra attempts of a GET after a timeout, a refused connection, 408/429 or 5xx. @default 1 */
  readonly retries?: number;
  /** Largest body read (bytes, after decompression); a larger one is refused unread. @default 32 MiB */
  readonly maxBodyBytes?: number;
  /** Called before every attempt (to count requests). */
  readonly onRequest?: ((event: RequestEvent<S>) => void) | undefined;
}

/** A response that arrived, whatever its status. */
export interface HttpResponse {
  readonly status: number;
  readonly text: string;
}

/** What a request may carry besides its path. */
export interface RequestOptions<S extends string = string> {
  readonly search?: URLSearchParams | undefined;
  /** A JSON body (POST only). */
  readonly json?: unknown;
  readonly context?: CallContext<S> | undefined;
}

/** An HTTP client for one server; see {@link createHttpClient}. */
export interface HttpClient<S extends string = string> {
  /** The base URL without credentials, as shown in messages. */
  readonly url: string;
  /** Replaces every secret of this client (header values, URL credentials) in `text` by `[redacted]`. */
  readonly redact: (text: string) => string;
  /**
   * GETs `path` (relative to the base URL) and returns the response whatever its status, retrying
   * timeouts, refused connections, 408/429 and 5xx. Throws {@link TransportFailure} when no response
   * arrived and {@link RefusedAnswer} for a body over the cap or a cross-origin redirect.
   */
  get(path: string, search?: URLSearchParams, context?: CallContext<S>): Promise<HttpResponse>;
  /** POSTs `json` to `path`, once (never retried: a POST may not be idempotent). Throws like {@link get}. */
  post(path: string, json: unknown, context?: CallContext<S>): Promise<HttpResponse>;
  /**
   * GET or POST whose answer must be 2xx (or one of `accept`): returns the body text, or throws an
   * {@link HttpRequestError} naming the endpoint (redacted) with the server's own words shortened.
   */
  text(
    method: "GET" | "POST",
    path: string,
    options?: RequestOptions<S> & { accept?: readonly number[] },
  ): Promise<HttpResponse>;
  /**
   * GETs `path`, requires 2xx, parses the body (uint64-safe, sliced for large bodies) and validates it
   * against `schema`. Throws {@link HttpRequestError} or `ResponseShapeError`.
   */
  getJson<T extends z.ZodType>(
    path: string,
    schema: T,
    options?: RequestOptions<S> & { list?: ListAt },
  ): Promise<z.output<T>>;
}

/** Same-origin redirects followed per request, at most. */
export const MAX_REDIRECTS = 5;

/** Default budget of one attempt (ms). */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default extra attempts of a GET. */
export const DEFAULT_RETRIES = 1;
/**
 * Answers are asked for uncompressed: the monitor runs next to the servers it reads, where inflating
 * dozens of answers a cycle costs more CPU (on both sides) than the bytes save. A server that
 * compresses anyway is still decoded, and a `headers` entry `Accept-Encoding` overrides this.
 */
const UNCOMPRESSED = "identity";

/** Default cap of one answer (bytes, after decompression). */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * Creates an HTTP client on ky: a per-attempt timeout that also covers the body, ky's own retries
 * for GETs on transient failures only (never started past the caller's deadline, never after its
 * signal aborted), a body cap counted after decompression, same-origin redirects only, TLS client
 * certificates, and error messages free of secrets.
 */
export function createHttpClient<S extends string>(options: HttpClientOptions<S>): HttpClient<S> {
  const { baseUrl, headers } = _splitCredentials(options.baseUrl, options.headers ?? {});
  const redact = createRedactor(secretsOf(headers, options.baseUrl));
  const shownUrl = withoutCredentials(baseUrl);
  const origin = new URL(baseUrl).origin;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const client: KyInstance = ky.create({
    headers: { accept: "application/json", "accept-encoding": UNCOMPRESSED, ...headers },
    throwHttpErrors: isRetryableStatus,
    redirect: "manual",
    fetch: createNodeFetch(options.tls),
  });

  async function send(
    method: "GET" | "POST",
    path: string,
    search: URLSearchParams | undefined,
    json: unknown,
    context: CallContext<S>,
  ): Promise<HttpResponse> {
    const endpoint = `/${path.replace(/^\//, "")}`;
    const deadline = context.deadline ?? Number.POSITIVE_INFINITY;
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new TransportFailure("timeout", "the cycle's deadline has passed");
    const budget = Math.max(1, Math.min(timeoutMs, remaining));
    const call = _linkedSignal(context.signal, Number.isFinite(remaining) ? remaining : undefined);
    const callSignal = call.signal;
    let attemptStart = Date.now();
    let bodyTimer: LinkedSignal | undefined;
    try {
      let url = new URL(`${baseUrl}${endpoint}`);
      if (search) url.search = search.toString();
      for (let hops = 0; ; hops += 1) {
        const response = await _fetchOnce(url);
        const location = response.headers.get("location");
        if (response.status < 300 || response.status > 399 || location === null) {
          bodyTimer = _linkedSignal(callSignal, Math.max(1, budget - (Date.now() - attemptStart)));
          const text = await readCappedText(response, maxBodyBytes, bodyTimer.signal);
          return { status: response.status, text };
        }
        await response.body?.cancel().catch(() => undefined);
        const target = _resolve(location, url);
        if (target === undefined || target.origin !== origin) {
          throw new RefusedAnswer(
            `redirected (${response.status}) to another origin, ${redact(_shown(location, url))}; cross-origin redirects are not followed`,
            "cross_origin_redirect",
          );
        }
        if (hops >= MAX_REDIRECTS)
          throw new RefusedAnswer(`more than ${MAX_REDIRECTS} redirects`, "too_many_redirects");
        url = target;
      }
    } catch (error) {
      if (error instanceof RefusedAnswer) throw error;
      if (error instanceof BodyTooLarge) throw new RefusedAnswer(error.message);
      if (callSignal.aborted) {
        const reason = context.signal?.reason as { name?: string } | undefined;
        const pastDeadline = Date.now() >= deadline - DEADLINE_SLACK_MS;
        if (!context.signal?.aborted || reason?.name === "TimeoutError" || pastDeadline) {
          throw new TransportFailure("timeout", "the cycle's deadline has passed");
        }
        throw new TransportFailure("aborted", "the request was cancelled");
      }
      if (error instanceof TimeoutError)
        throw new TransportFailure("timeout", `no complete answer within ${budget} ms`);
      if (bodyTimer?.timedOut())
        throw new TransportFailure("timeout", `no complete answer within ${budget} ms`);
      throw new TransportFailure("unreachable", redact(_networkDetail(error, origin.startsWith("https:"))));
    } finally {
      call.dispose();
      bodyTimer?.dispose();
    }

    async function _fetchOnce(url: URL): Promise<Response> {
      try {
        return await client(url, {
          method,
          signal: callSignal,
          timeout: budget,
          ...(json === undefined ? {} : { json }),
          retry: {
            limit: method === "GET" ? retries : 0,
            methods: ["get"],
            statusCodes: RETRY_STATUSES,
            afterStatusCodes: [429, 503],
            retryOnTimeout: true,
            backoffLimit: MAX_BACKOFF_MS,
            delay: (attempt) => _backoff(attempt - 1),
            shouldRetry: ({ error, retryCount }) =>
              _mayRetry(retryCount - 1) && !isTlsFailure(error) ? undefined : false,
          },
          hooks: {
            beforeRequest: [
              (_request, _options, state) => {
                attemptStart = Date.now();
                const event: RequestEvent<S> = {
                  source: options.source,
                  endpoint,
                  attempt: state.retryCount,
                };
                options.onRequest?.(event);
                context.onRequest?.(event);
              },
            ],
          },
        });
      } catch (error) {
        if (error instanceof HTTPError) return error.response;
        throw error;
      }
    }

    function _mayRetry(n: number): boolean {
      if (callSignal.aborted) return false;
      return Date.now() + _backoff(n) + MIN_ATTEMPT_MS < deadline;
    }
  }

  const text: HttpClient<S>["text"] = async (method, path, request = {}) => {
    const endpoint = `/${path.replace(/^\//, "")}`;
    try {
      let response: HttpResponse;
      try {
        response = await send(method, path, request.search, request.json, request.context ?? {});
      } catch (error) {
        if (error instanceof TransportFailure || error instanceof RefusedAnswer) {
          const retryable = error instanceof RefusedAnswer ? false : undefined;
          throw new HttpRequestError(options.label, method, shownUrl, endpoint, {
            reason: error.reason,
            detail: error.detail,
            retryable,
          });
        }
        throw error;
      }
      const accepted = request.accept
        ? request.accept.includes(response.status)
        : response.status >= 200 && response.status <= 299;
      if (!accepted) {
        throw new HttpRequestError(options.label, method, shownUrl, endpoint, {
          ...statusFailure(response.status),
          status: response.status,
          detail: _shorten(response.text.trim()) || undefined,
        });
      }
      return response;
    } catch (error) {
      throw error instanceof Error ? redactError(error, redact) : error;
    }
  };

  return {
    url: shownUrl,
    redact,
    get: (path, search, context = {}) => send("GET", path, search, undefined, context),
    post: (path, json, context = {}) => send("POST", path, undefined, json, context),
    text,
    async getJson(path, schema, request = {}) {
      const response = await text("GET", path, request);
      const endpoint = `/${path.replace(/^\//, "")}`;
      try {
        return await decodeJsonSliced(
          schema,
          response.text,
          options.label,
          endpoint,
          request.list,
          options.source,
        );
      } catch (error) {
        throw error instanceof Error ? redactError(error, redact) : error;
      }
    },
  };
}

// --- Internal helpers ---

/** A signal that aborts with its parent or after a time, see {@link _linkedSignal}. */
interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True once the time ran out (rather than the parent aborting). */
  timedOut(): boolean;
  /** Drops the listener on the parent and the timer. */
  dispose(): void;
}

/**
 * A signal aborted by `parent` or after `ms`. One controller, one listener and one timer: several
 * `AbortSignal.timeout` and `AbortSignal.any` per request cost Node 20 more (weak references and a
 * finalization registry per signal) than the request's own parsing on a small cluster.
 */
function _linkedSignal(parent: AbortSignal | undefined, ms: number | undefined): LinkedSignal {
  const controller = new AbortController();
  let timedOut = false;
  const follow = () => controller.abort(parent?.reason);
  let unfollow: (() => void) | undefined;
  if (parent?.aborted) follow();
  else if (parent) unfollow = _onAbort(parent, follow);
  const timer =
    ms === undefined
      ? undefined
      : setTimeout(
          () => {
            timedOut = true;
            controller.abort(new DOMException("The operation was aborted due to timeout", "TimeoutError"));
          },
          Math.min(ms, MAX_DURATION_MS),
        );
  timer?.unref();
  return {
    signal: controller.signal,
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      unfollow?.();
    },
  };
}

/** What runs when a signal aborts, by signal: one listener each, however many requests share it. */
const FOLLOWERS = new WeakMap<AbortSignal, { callbacks: Set<() => void>; listener: () => void }>();

/**
 * Runs `callback` when `signal` aborts; returns what cancels that. The signal gets one listener for
 * all its callbacks: a cycle's signal is shared by dozens of concurrent requests, and a listener each
 * would pass Node's limit of ten and warn of a leak. The listener goes with the last callback: Node 20
 * keeps a signal made by `AbortSignal.any` alive while it has a listener, and a cycle's signal that
 * kept one would leak every cycle.
 */
function _onAbort(signal: AbortSignal, callback: () => void): () => void {
  let followers = FOLLOWERS.get(signal);
  if (followers === undefined) {
    const callbacks = new Set<() => void>();
    const listener = () => {
      for (const run of [...callbacks]) run();
    };
    signal.addEventListener("abort", listener, { once: true });
    followers = { callbacks, listener };
    FOLLOWERS.set(signal, followers);
  }
  const registered = followers;
  registered.callbacks.add(callback);
  return () => {
    registered.callbacks.delete(callback);
    if (registered.callbacks.size > 0) return;
    signal.removeEventListener("abort", registered.listener);
    FOLLOWERS.delete(signal);
  };
}

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504, 505, 506, 507, 508, 510, 511];
const MIN_ATTEMPT_MS = 100;
const MAX_BACKOFF_MS = 1000;
/** A signal aborted this close to the deadline was aborted by the deadline: a timeout. */
const DEADLINE_SLACK_MS = 20;

function _backoff(n: number): number {
  return Math.min(100 * 2 ** n, MAX_BACKOFF_MS);
}

/** Credentials in a URL (`http://user:pass@host`) become a Basic header: fetch refuses such URLs. */
function _splitCredentials(url: string, headers: Readonly<Record<string, string>>) {
  const parsed = new URL(url);
  const trimmed = (value: URL) => value.toString().replace(/\/+$/, "");
  if (parsed.username === "" && parsed.password === "") return { baseUrl: trimmed(parsed), headers };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = "";
  parsed.password = "";
  const hasAuth = Object.keys(headers).some((key) => key.toLowerCase() === "authorization");
  return {
    baseUrl: trimmed(parsed),
    headers: hasAuth
      ? headers
      : { ...headers, authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` },
  };
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

function _networkDetail(error: unknown, https: boolean): string {
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const described = describeTlsFailure(cause?.code, cause?.message, https);
  if (described) return described;
  if (cause?.code) return cause.code;
  return error instanceof Error ? error.message : String(error);
}

function _shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
