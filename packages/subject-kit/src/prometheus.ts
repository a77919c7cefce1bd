import { ObservationError, type ObservationFailure } from "@operator/core";
import { z } from "zod";
import { decodeJsonSliced, type ListAt } from "./decode.ts";
import {
  defaultRetryable,
  describeFailure,
  RefusedAnswer,
  type RequestErrorDetails,
  redactError,
  statusFailure,
  TransportFailure,
} from "./errors.ts";
import { type CallContext, createHttpClient, DEFAULT_MAX_BODY_BYTES, type RequestEvent } from "./http.ts";
import type { ResolvedTls } from "./tls.ts";

/** Path of Prometheus's instant-query endpoint. */
export const QUERY_ENDPOINT = "/api/v1/query";

/** Default cap of one Prometheus answer (bytes); a query over 5,000 series answers about 3 MB. */
export const DEFAULT_PROMETHEUS_MAX_BODY_BYTES = DEFAULT_MAX_BODY_BYTES;

/** One sample of an instant vector. `value` may be `NaN` or `±Infinity`, as Prometheus wrote it. */
export interface Sample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  /** Evaluation time, epoch ms. */
  readonly timestamp: number;
}

/** What an instant query returned. An empty `samples` is a valid answer: nothing matched. */
export interface QueryResult {
  readonly query: string;
  readonly samples: readonly Sample[];
  /** Prometheus's `warnings` (the query still succeeded), e.g. about partial data. */
  readonly warnings: readonly string[];
}

/** Settings of {@link createPrometheusClient}. */
export interface PrometheusClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:9090` or `https://host/prometheus`. */
  readonly url: string;
  /** Starts every error message. @default "[operator] Prometheus" */
  readonly label?: string;
  /** Sent with every request; put `Authorization` here (see `resolveAuth`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Client certificate and CA (see `resolveTls`). */
  readonly tls?: ResolvedTls | undefined;
  /** Budget per attempt (ms), body included. @default 5000 */
  readonly timeoutMs?: number;
  /** Retries for timeouts, refused connections and 5xx. @default 1 */
  readonly retries?: number;
  /** Largest answer read, in bytes after decompression. @default 32 MiB */
  readonly maxBodyBytes?: number;
  readonly onRequest?: ((event: RequestEvent<"prometheus">) => void) | undefined;
}

/** Options of one instant query. */
export interface QueryOptions {
  /**
   * Evaluation time, epoch ms (sent with millisecond precision). Absent: Prometheus's "now". Queries
   * that must see the same data pass the time a first answer was evaluated at (`Sample.timestamp`).
   */
  readonly time?: number;
}

/** A client for Prometheus's HTTP query API. */
export interface PrometheusClient {
  /**
   * Runs an instant query (vector or scalar result; a scalar is one sample without labels). Throws
   * {@link PrometheusError} when Prometheus cannot be read or answers `status: "error"`, and
   * `ResponseShapeError` for an answer of the wrong shape. Within a deadline, Prometheus is asked to
   * stop evaluating by then too (`timeout=`).
   */
  query(promql: string, context?: CallContext<"prometheus">, options?: QueryOptions): Promise<QueryResult>;
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
  constructor(
    url: string,
    details: RequestErrorDetails & { errorType?: string; query?: string },
    label = "[operator] Prometheus",
  ) {
    super(
      `${label} request ${describeFailure(details)}: GET ${url}${details.detail ? ` (${details.detail})` : ""}`,
      {
        reason: details.reason,
        retryable: details.retryable ?? defaultRetryable(details.reason),
      },
    );
    this.url = url;
    this.status = details.status;
    this.errorType = details.errorType;
    this.query = details.query;
  }
}

/** Creates a {@link PrometheusClient} on the kit's HTTP client. */
export function createPrometheusClient(options: PrometheusClientOptions): PrometheusClient {
  const label = options.label ?? "[operator] Prometheus";
  const http = createHttpClient({
    source: "prometheus",
    label,
    baseUrl: options.url,
    headers: options.headers ?? {},
    tls: options.tls,
    timeoutMs: options.timeoutMs ?? 5000,
    retries: options.retries ?? 1,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_PROMETHEUS_MAX_BODY_BYTES,
    onRequest: options.onRequest,
  });
  const shownUrl = `${http.url}${QUERY_ENDPOINT}`;

  async function read(
    promql: string,
    search: URLSearchParams,
    context: CallContext<"prometheus">,
  ): Promise<QueryResult> {
    let response: Awaited<ReturnType<typeof http.get>>;
    try {
      response = await http.get(QUERY_ENDPOINT, search, context);
    } catch (error) {
      if (error instanceof TransportFailure || error instanceof RefusedAnswer) {
        throw new PrometheusError(
          shownUrl,
          { reason: error.reason, detail: error.detail, query: promql },
          label,
        );
      }
      throw error;
    }
    const failed = response.status < 200 || response.status > 299;
    let parsed: z.output<typeof RESPONSE>;
    try {
      parsed = await decodeJsonSliced(
        RESPONSE,
        response.text,
        label,
        QUERY_ENDPOINT,
        VECTOR_LIST,
        "prometheus",
      );
    } catch (error) {
      if (!failed) throw error;
      throw new PrometheusError(
        shownUrl,
        {
          ...statusFailure(response.status),
          status: response.status,
          detail: response.text.trim().slice(0, 200) || undefined,
          query: promql,
        },
        label,
      );
    }
    if (parsed.status === "error") {
      throw new PrometheusError(
        shownUrl,
        {
          ..._errorTypeFailure(parsed.errorType, response.status),
          status: response.status,
          detail: `${parsed.errorType}: ${parsed.error}`,
          errorType: parsed.errorType,
          query: promql,
        },
        label,
      );
    }
    if (failed) {
      throw new PrometheusError(
        shownUrl,
        { ...statusFailure(response.status), status: response.status, query: promql },
        label,
      );
    }
    return { query: promql, samples: parsed.data, warnings: parsed.warnings ?? [] };
  }

  return {
    async query(promql, context = {}, options = {}) {
      const search = new URLSearchParams({ query: promql });
      if (options.time !== undefined) search.set("time", (options.time / 1000).toFixed(3));
      if (context.deadline !== undefined) {
        search.set("timeout", `${Math.max(1, Math.floor((context.deadline - Date.now()) / 1000))}s`);
      }
      try {
        return await read(promql, search, context);
      } catch (error) {
        throw error instanceof Error ? redactError(error, http.redact) : error;
      }
    },
  };
}

// --- Internal helpers ---

/** Prometheus's spellings of the special float values (a Map: `constructor` is no sample value). */
const SPECIAL: ReadonlyMap<string, number> = new Map([
  ["NaN", Number.NaN],
  ["+Inf", Number.POSITIVE_INFINITY],
  ["Inf", Number.POSITIVE_INFINITY],
  ["-Inf", Number.NEGATIVE_INFINITY],
]);

const point = z.unknown().transform((value, ctx): readonly [number, number] => {
  const checked = _point(value);
  if ("message" in checked) {
    ctx.addIssue({ code: "custom", message: checked.message, path: checked.path });
    return z.NEVER;
  }
  return checked;
});

/**
 * One sample of a vector, `{"metric": {...}, "value": [<time>, "<value>"]}`, checked by hand: there is
 * one per store and query, tens of thousands a cycle on a large cluster. Other members are ignored.
 */
const vectorEntry = z.unknown().transform((entry, ctx): Sample => {
  const checked = _vectorEntry(entry);
  if ("message" in checked) {
    ctx.addIssue({ code: "custom", message: checked.message, path: checked.path });
    return z.NEVER;
  }
  return checked;
});

const data = z.discriminatedUnion("resultType", [
  z.object({ resultType: z.literal("vector"), result: z.array(vectorEntry) }),
  z.object({ resultType: z.literal("scalar"), result: point }),
]);

const RESPONSE = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: data.transform((result): Sample[] =>
      result.resultType === "scalar"
        ? [{ labels: {}, value: result.result[1], timestamp: result.result[0] * 1000 }]
        : result.result,
    ),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({
    status: z.literal("error"),
    errorType: z.string().default("unknown"),
    error: z.string().default(""),
  }),
]);

/** A vector's samples, checked in slices when there are many, without a schema per sample. */
const VECTOR_LIST: ListAt = {
  input: ["data", "result"],
  output: ["data"],
  element: {
    safeParse: (entry) => {
      const checked = _vectorEntry(entry);
      return "message" in checked
        ? { success: false, error: { issues: [checked] } }
        : { success: true, data: checked };
    },
  },
};

/** Where a hand-checked value is wrong, and how (worded as the schema library words it). */
interface Problem {
  readonly path: PropertyKey[];
  readonly message: string;
}

function _vectorEntry(entry: unknown): Sample | Problem {
  if (!_isObject(entry)) return _wrongType([], "object", entry);
  const metric = (entry as { metric?: unknown }).metric;
  if (!_isObject(metric)) return _wrongType(["metric"], "record", metric);
  for (const key in metric) {
    const label = (metric as Record<string, unknown>)[key];
    if (typeof label !== "string" && Object.hasOwn(metric, key))
      return _wrongType(["metric", key], "string", label);
  }
  const point = (entry as { value?: unknown }).value;
  const value = _pointValue(point);
  if (typeof value !== "number") return { path: ["value", ...value.path], message: value.message };
  return { labels: metric as Record<string, string>, value, timestamp: (point as [number])[0] * 1000 };
}

/** `[<time>, "<value>"]`: the time in seconds and the value as Prometheus writes it. */
function _point(point: unknown): readonly [number, number] | Problem {
  const value = _pointValue(point);
  return typeof value === "number" ? [(point as [number])[0], value] : value;
}

/** The value of a checked `[<time>, "<value>"]`, without building a pair (one per sample and query). */
function _pointValue(point: unknown): number | Problem {
  if (!Array.isArray(point)) return _wrongType([], "tuple", point);
  if (point.length < 2) return { path: [], message: "Too small: expected array to have >=2 items" };
  if (point.length > 2) return { path: [], message: "Too big: expected array to have <=2 items" };
  const time: unknown = point[0];
  const text: unknown = point[1];
  if (typeof time !== "number") return _wrongType([0], "number", time);
  if (typeof text !== "string") return _wrongType([1], "string", text);
  const special = SPECIAL.get(text);
  if (special !== undefined) return special;
  const value = Number(text);
  if (text.trim() === "" || Number.isNaN(value)) {
    return { path: [1], message: `expected a number as a string, got ${JSON.stringify(text.slice(0, 60))}` };
  }
  return value;
}

function _isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function _wrongType(path: PropertyKey[], expected: string, value: unknown): Problem {
  const received = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  return { path, message: `Invalid input: expected ${expected}, received ${received}` };
}

function _errorTypeFailure(
  errorType: string,
  status: number,
): { reason: ObservationFailure; retryable: boolean } {
  switch (errorType) {
    case "timeout":
      return { reason: "timeout", retryable: true };
    case "canceled":
      return { reason: "aborted", retryable: true };
    case "bad_data":
    case "not_found":
      return { reason: "client_error", retryable: false };
    case "unavailable":
    case "execution":
    case "internal":
      return { reason: "server_error", retryable: errorType !== "execution" };
    default:
      return status >= 400 ? statusFailure(status) : { reason: "invalid_response", retryable: false };
  }
}
