import { assertName, ConfigError, type InvariantOverrides, isOperatorError } from "@operator/core";
import {
  assertTlsUrl,
  type ResolvedTls,
  resolveSecret,
  resolveTls,
  type SecretValue,
  type TlsOptions,
  urlProblem,
} from "@operator/subject-kit";
import type { EtcdOptions } from "./subject.ts";

/** {@link EtcdOptions} checked, with defaults applied and URLs normalised (no trailing slash). */
export interface ResolvedOptions {
  readonly name: string;
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  /** Extra attempts of a GET after a transient failure. */
  readonly retries: number;
  readonly prometheusUrl: string | undefined;
  /** TLS settings for the members (`tls`), PEMs read. */
  readonly tls: ResolvedTls | undefined;
  /** TLS settings for Prometheus (`prometheusTls`), PEMs read. */
  readonly prometheusTls: ResolvedTls | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Cap of one member answer, bytes. */
  readonly maxBodyBytes: number;
  /** Cap of one Prometheus answer, bytes. */
  readonly prometheusMaxBodyBytes: number;
  readonly invariants: InvariantOverrides | undefined;
}

/** Per-request timeout when `timeoutMs` is not given. */
export const DEFAULT_TIMEOUT_MS = 3000;

/** Extra attempts of a GET when `retries` is not given. */
export const DEFAULT_RETRIES = 1;

/**
 * Default cap of one answer from a member or Prometheus (bytes): a member's `/metrics` is a few
 * hundred KiB, its JSON answers a few KiB.
 */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Smallest and largest body caps accepted (bytes). */
const BODY_CAP_RANGE = [1024, 1024 * 1024 * 1024] as const;

const KNOWN = new Set([
  "name",
  "endpoints",
  "timeoutMs",
  "retries",
  "prometheusUrl",
  "tls",
  "prometheusTls",
  "headers",
  "maxBodyBytes",
  "prometheusMaxBodyBytes",
  "invariants",
]);

/** Checks the factory's options; throws one {@link ConfigError} naming the first bad option. */
export function resolveOptions(options: EtcdOptions): ResolvedOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw _error("options must be an object with at least `name` and `endpoints`");
  }
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw _error(`Unknown option \`${key}\` (known: ${[...KNOWN].join(", ")})`);
  }
  const { name, endpoints, timeoutMs, retries, prometheusUrl, invariants } = options;
  const maxBodyBytes = _bodyCap(options.maxBodyBytes, "maxBodyBytes");
  const prometheusMaxBodyBytes = _bodyCap(options.prometheusMaxBodyBytes, "prometheusMaxBodyBytes");
  if (name === undefined) throw _error("Missing required option `name`");
  if (typeof name !== "string") throw _error("Option `name` must be a string");
  try {
    assertName("subject", name);
  } catch (error) {
    throw isOperatorError(error)
      ? _error(`Option \`name\`: ${error.message.replace("[operator] ", "")}`)
      : error;
  }
  if (endpoints === undefined) throw _error("Missing required option `endpoints`");
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    throw _error("Option `endpoints` must be a non-empty array of client URLs, e.g. http://10.0.1.5:2379");
  }
  const normalised = endpoints.map((endpoint, index) => _url(endpoint, `endpoints[${index}]`));
  const duplicate = normalised.find((endpoint, index) => normalised.indexOf(endpoint) !== index);
  if (duplicate) throw _error(`Option \`endpoints\` lists ${duplicate} twice`);
  if (
    timeoutMs !== undefined &&
    (typeof timeoutMs !== "number" || !(timeoutMs > 0) || !Number.isFinite(timeoutMs))
  ) {
    throw _error("Option `timeoutMs` must be a positive number of milliseconds");
  }
  if (
    retries !== undefined &&
    (typeof retries !== "number" || !Number.isInteger(retries) || retries < 0 || retries > 10)
  ) {
    throw _error("Option `retries` must be a whole number between 0 and 10");
  }
  const headers = _headers(options.headers);
  const tls = resolveTls(_tlsInput(options.tls, "tls"), "tls", "[etcd]");
  for (const [index, endpoint] of normalised.entries()) {
    assertTlsUrl(tls, endpoint, "tls", `endpoints[${index}]`, "[etcd]");
  }
  const prometheusTls = resolveTls(
    _tlsInput(options.prometheusTls, "prometheusTls"),
    "prometheusTls",
    "[etcd]",
  );
  if (prometheusTls !== undefined && prometheusUrl === undefined) {
    throw _error("Option `prometheusTls` is set without `prometheusUrl`");
  }
  if (
    invariants !== undefined &&
    (typeof invariants !== "object" || invariants === null || Array.isArray(invariants))
  ) {
    throw _error("Option `invariants` must be an object of overrides per invariant name");
  }
  const prometheus = prometheusUrl === undefined ? undefined : _url(prometheusUrl, "prometheusUrl");
  if (prometheus !== undefined)
    assertTlsUrl(prometheusTls, prometheus, "prometheusTls", "prometheusUrl", "[etcd]");
  return {
    name,
    endpoints: normalised,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: retries ?? DEFAULT_RETRIES,
    prometheusUrl: prometheus,
    tls,
    prometheusTls,
    headers,
    maxBodyBytes,
    prometheusMaxBodyBytes,
    invariants,
  };
}

/** Normalises a client URL for comparison: origin plus path, without a trailing slash. */
export function normaliseUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

// --- Internal helpers ---

function _url(value: unknown, option: string): string {
  const problem = urlProblem(value, option, "`headers`");
  if (problem) throw _error(problem);
  return normaliseUrl(value as string);
}

function _headers(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw _error("Option `headers` must be an object of header names to string values");
  }
  const out: Record<string, string> = {};
  for (const [header, raw] of Object.entries(value)) {
    const isRef = typeof raw === "object" && raw !== null && ("$env" in raw || "$file" in raw);
    if (typeof raw !== "string" && !isRef) throw _error(`Option \`headers.${header}\` must be a string`);
    out[header] = resolveSecret(raw as SecretValue, `headers.${header}`, "[etcd]");
  }
  return out;
}

const TLS_KEYS = new Set(["ca", "caFile", "cert", "certFile", "key", "keyFile", "serverName"]);

function _tlsInput(value: unknown, option: string): TlsOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw _error(
      `Option \`${option}\` must be an object with ca/caFile, cert/certFile, key/keyFile, serverName`,
    );
  }
  for (const [key, item] of Object.entries(value)) {
    if (!TLS_KEYS.has(key)) throw _error(`Option \`${option}\` has no setting \`${key}\``);
    const isRef = key === "key" && typeof item === "object" && item !== null;
    if (typeof item !== "string" && !isRef) throw _error(`Option \`${option}.${key}\` must be a string`);
  }
  return value as TlsOptions;
}

function _bodyCap(value: unknown, option: string): number {
  if (value === undefined) return DEFAULT_MAX_BODY_BYTES;
  const [min, max] = BODY_CAP_RANGE;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw _error(`Option \`${option}\` must be a whole number of bytes between ${min} and ${max}`);
  }
  return value;
}

function _error(message: string): ConfigError {
  return new ConfigError(`[etcd] ${message}`);
}
