import { assertName, ConfigError, type InvariantOverrides, isOperatorError } from "@operator/core";
import type { EtcdOptions } from "./subject.ts";

/** {@link EtcdOptions} checked, with defaults applied and URLs normalised (no trailing slash). */
export interface ResolvedOptions {
  readonly name: string;
  readonly endpoints: readonly string[];
  readonly timeoutMs: number;
  readonly prometheusUrl: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** Cap of one member answer, bytes. */
  readonly maxBodyBytes: number;
  /** Cap of one Prometheus answer, bytes. */
  readonly prometheusMaxBodyBytes: number;
  readonly invariants: InvariantOverrides | undefined;
}

/** Per-request timeout when `timeoutMs` is not given. */
export const DEFAULT_TIMEOUT_MS = 3000;

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
  "prometheusUrl",
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
  const { name, endpoints, timeoutMs, prometheusUrl, headers, invariants } = options;
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
  if (headers !== undefined) {
    if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
      throw _error("Option `headers` must be an object of header names to string values");
    }
    for (const [header, value] of Object.entries(headers)) {
      if (typeof value !== "string") throw _error(`Option \`headers.${header}\` must be a string`);
    }
  }
  if (
    invariants !== undefined &&
    (typeof invariants !== "object" || invariants === null || Array.isArray(invariants))
  ) {
    throw _error("Option `invariants` must be an object of overrides per invariant name");
  }
  return {
    name,
    endpoints: normalised,
    timeoutMs: timeoutMs ?? DEFAULT_TIMEOUT_MS,
    prometheusUrl: prometheusUrl === undefined ? undefined : _url(prometheusUrl, "prometheusUrl"),
    headers: headers ?? {},
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
  if (typeof value !== "string") throw _error(`Option \`${option}\` must be a URL string`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw _error(`Option \`${option}\` is not a valid URL${value.includes("@") ? "" : `: "${value}"`}`);
  }
  if (parsed.username || parsed.password) {
    throw _error(`Option \`${option}\` must not contain credentials; use \`headers\``);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    const shown = value.includes("@") ? "" : `, got "${value}"`;
    throw _error(`Option \`${option}\` must be an http:// or https:// URL${shown}`);
  }
  if (parsed.search || parsed.hash) throw _error(`Option \`${option}\` must not have a query or fragment`);
  return normaliseUrl(value);
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
