import { assertName, ConfigError, type InvariantOverrides } from "@operator/core";
import {
  assertTlsUrl,
  describeTls,
  type ResolvedTls,
  resolveAuth,
  resolveTls,
  secretValueSchema,
  tlsOptionsSchema,
  urlProblem,
} from "@operator/subject-kit";
import { z } from "zod";
import { PREFIX } from "./errors.ts";
import type { RequestEvent } from "./http.ts";
import { DEFAULT_PD_MAX_BODY_BYTES } from "./pd-client.ts";
import { DEFAULT_PROMETHEUS_MAX_BODY_BYTES } from "./prometheus-client.ts";

/** Default per-request timeout (ms). */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default retries per request, for retryable failures only. */
export const DEFAULT_RETRIES = 1;
/** Default range of `rate()` in the metric queries. */
export const DEFAULT_RATE_WINDOW = "1m";
/** Default range of the leader-count `delta()` (the official rule's 30 s). */
export const DEFAULT_LEADER_DROP_WINDOW = "30s";
/** Smallest body cap accepted (bytes). */
export const MIN_MAX_BODY_BYTES = 1024;
/** Largest body cap accepted (bytes): 1 GiB. */
export const MAX_MAX_BODY_BYTES = 1024 * 1024 * 1024;

/** {@link TikvOptions} checked and completed with defaults. Secrets never appear in its JSON or string form. */
export interface ResolvedOptions {
  readonly name: string;
  /** PD base URLs (one or more members) without a trailing slash or `/pd/api/v1`. */
  readonly pdUrls: readonly string[];
  /** Prometheus base URL without a trailing slash, if configured. */
  readonly prometheusUrl: string | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly rateWindow: string;
  readonly leaderDropWindow: string;
  /** Headers sent to PD, including `Authorization` built from `pd.bearerToken` or `pd.basicAuth`. */
  readonly pdHeaders: Readonly<Record<string, string>>;
  /** TLS settings for PD (`pd.tls`), PEMs read. */
  readonly pdTls: ResolvedTls | undefined;
  /** TLS settings for Prometheus (`prometheus.tls`), PEMs read. */
  readonly prometheusTls: ResolvedTls | undefined;
  /** Cap of one PD answer, bytes. */
  readonly pdMaxBodyBytes: number;
  /** Cap of one Prometheus answer, bytes. */
  readonly prometheusMaxBodyBytes: number;
  /** Headers sent to Prometheus, including `Authorization` built from `bearerToken` or `basicAuth`. */
  readonly prometheusHeaders: Readonly<Record<string, string>>;
  readonly invariants: InvariantOverrides | undefined;
  readonly onRequest: ((event: RequestEvent) => void) | undefined;
}

/**
 * Checks the factory's options and fills in defaults. Throws one {@link ConfigError} naming the first
 * option that is missing or malformed, e.g. ``[operator] [tikv] Missing required option `pdUrl` ``.
 */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(`${PREFIX} Options must be an object with at least \`name\` and \`pdUrl\``);
  }
  const parsed = OPTIONS.safeParse(input);
  if (!parsed.success) throw _toConfigError(parsed.error, input as Record<string, unknown>);
  const options = parsed.data;
  assertName("subject", options.name);
  const auth = options.prometheus;
  const prometheusHeaders = resolveAuth(auth, "prometheus", PREFIX);
  const pdHeaders = resolveAuth(options.pd, "pd", PREFIX);
  const pdUrlList = typeof options.pdUrl === "string" ? [options.pdUrl] : options.pdUrl;
  const pdTls = resolveTls(options.pd?.tls, "pd.tls", PREFIX);
  for (const url of pdUrlList) assertTlsUrl(pdTls, url, "pd.tls", "pdUrl", PREFIX);
  const prometheusTls = resolveTls(auth?.tls, "prometheus.tls", PREFIX);
  if (prometheusTls !== undefined && options.prometheusUrl === undefined) {
    throw new ConfigError(`${PREFIX} Option \`prometheus.tls\` is set without \`prometheusUrl\``);
  }
  if (options.prometheusUrl !== undefined) {
    assertTlsUrl(prometheusTls, options.prometheusUrl, "prometheus.tls", "prometheusUrl", PREFIX);
  }
  const resolved: ResolvedOptions = {
    name: options.name,
    pdUrls: pdUrlList.map((url) => url.replace(/\/+$/, "").replace(/\/pd\/api\/v1$/, "")),
    prometheusUrl: options.prometheusUrl?.replace(/\/+$/, ""),
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_RETRIES,
    rateWindow: options.rateWindow ?? DEFAULT_RATE_WINDOW,
    leaderDropWindow: options.leaderDropWindow ?? DEFAULT_LEADER_DROP_WINDOW,
    pdHeaders,
    pdTls,
    prometheusTls,
    pdMaxBodyBytes: options.pd?.maxBodyBytes ?? DEFAULT_PD_MAX_BODY_BYTES,
    prometheusMaxBodyBytes: auth?.maxBodyBytes ?? DEFAULT_PROMETHEUS_MAX_BODY_BYTES,
    prometheusHeaders,
    invariants: options.invariants as InvariantOverrides | undefined,
    onRequest: options.onRequest as ((event: RequestEvent) => void) | undefined,
  };
  return _withRedaction(resolved);
}

/** A copy of the options safe to log: header values and credentials replaced by `[redacted]`. */
export function redactOptions(options: ResolvedOptions): Record<string, unknown> {
  const hide = (headers: Readonly<Record<string, string>>) =>
    Object.fromEntries(Object.keys(headers).map((key) => [key, "[redacted]"]));
  return {
    name: options.name,
    pdUrls: options.pdUrls,
    prometheusUrl: options.prometheusUrl,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    rateWindow: options.rateWindow,
    leaderDropWindow: options.leaderDropWindow,
    pdHeaders: hide(options.pdHeaders),
    pdTls: describeTls(options.pdTls),
    prometheusTls: describeTls(options.prometheusTls),
    pdMaxBodyBytes: options.pdMaxBodyBytes,
    prometheusHeaders: hide(options.prometheusHeaders),
    prometheusMaxBodyBytes: options.prometheusMaxBodyBytes,
    invariants: options.invariants,
  };
}

// --- Internal helpers ---

const PROM_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

const httpUrl = (option: string, credentialsHint: string) =>
  z.string().superRefine((value, ctx) => {
    const problem = urlProblem(value, option, credentialsHint);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const pdUrls = z.union([
  httpUrl("pdUrl", "`pd.headers`"),
  z
    .array(z.string(), { error: "expected a URL or a list of URLs" })
    .min(1, { error: "expected at least one URL" })
    .superRefine((values, ctx) => {
      values.forEach((value, i) => {
        const problem = urlProblem(value, `pdUrl[${i}]`, "`pd.headers`");
        if (problem) ctx.addIssue({ code: "custom", message: problem, path: [i] });
      });
    }),
]);

const headers = z.record(z.string(), secretValueSchema);

const maxBodyBytes = z.number().int().min(MIN_MAX_BODY_BYTES).max(MAX_MAX_BODY_BYTES);

const OPTIONS = z.strictObject({
  name: z.string().min(1),
  pdUrl: pdUrls,
  prometheusUrl: httpUrl("prometheusUrl", "`prometheus.basicAuth`").optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  rateWindow: z.string().regex(PROM_DURATION).optional(),
  leaderDropWindow: z.string().regex(PROM_DURATION).optional(),
  prometheus: z
    .strictObject({
      headers: headers.optional(),
      bearerToken: secretValueSchema.optional(),
      basicAuth: z.strictObject({ username: z.string(), password: secretValueSchema }).optional(),
      maxBodyBytes: maxBodyBytes.optional(),
      tls: tlsOptionsSchema.optional(),
    })
    .optional(),
  pd: z
    .strictObject({
      headers: headers.optional(),
      bearerToken: secretValueSchema.optional(),
      basicAuth: z.strictObject({ username: z.string(), password: secretValueSchema }).optional(),
      maxBodyBytes: maxBodyBytes.optional(),
      tls: tlsOptionsSchema.optional(),
    })
    .optional(),
  invariants: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  onRequest: z.custom<(event: RequestEvent) => void>((value) => typeof value === "function").optional(),
});

const EXPECTED: Readonly<Record<string, string>> = {
  name: "a non-empty string",
  timeoutMs: "a whole number of milliseconds between 1 and 600000",
  retries: "a whole number between 0 and 10",
  rateWindow: 'a PromQL duration such as "1m" or "30s"',
  leaderDropWindow: 'a PromQL duration such as "30s"',
  onRequest: "a function",
  "pd.maxBodyBytes": `a whole number of bytes between ${MIN_MAX_BODY_BYTES} and ${MAX_MAX_BODY_BYTES}`,
  "prometheus.maxBodyBytes": `a whole number of bytes between ${MIN_MAX_BODY_BYTES} and ${MAX_MAX_BODY_BYTES}`,
};

function _toConfigError(error: z.ZodError, input: Record<string, unknown>): ConfigError {
  const issue = _innermost(error.issues[0] as z.core.$ZodIssue);
  const option = issue.path.map(String).join(".");
  if (issue.code === "custom" && issue.message.startsWith("Option")) {
    return new ConfigError(`${PREFIX} ${issue.message}`);
  }
  const missing = _valueAt(input, issue.path) === undefined;
  if (missing || (issue.code === "invalid_type" && issue.message.endsWith("received undefined"))) {
    return new ConfigError(`${PREFIX} Missing required option \`${option}\``);
  }
  if (issue.code === "unrecognized_keys") {
    const where = option === "" ? "Options have" : `Option \`${option}\` has`;
    return new ConfigError(`${PREFIX} ${where} no setting \`${issue.keys.join("`, `")}\``);
  }
  const expected =
    EXPECTED[option] ?? issue.message.replace(/^Invalid input: /, "").replace(/^expected /, "");
  return new ConfigError(`${PREFIX} Invalid option \`${option}\`: expected ${expected}`);
}

/** For a failed union (`pdUrl`), the issue of the branch that matched the input's type, if any. */
function _innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== "invalid_union") return issue;
  for (const branch of issue.errors) {
    const inner = branch[0];
    if (inner && (inner.code !== "invalid_type" || inner.path.length > 0)) {
      return _innermost({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
    }
  }
  const message =
    issue.path[0] === "pdUrl"
      ? "expected a URL or a list of URLs"
      : 'expected a string, { "$env": "NAME" } or { "$file": "/path" }';
  return { ...issue, message } as z.core.$ZodIssue;
}

function _valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function _withRedaction(options: ResolvedOptions): ResolvedOptions {
  const safe = () => redactOptions(options);
  Object.defineProperties(options, {
    toJSON: { value: safe, enumerable: false },
    toString: { value: () => `TikvOptions ${JSON.stringify(safe())}`, enumerable: false },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: safe, enumerable: false },
  });
  return Object.freeze(options);
}
