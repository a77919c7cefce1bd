import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { ConfigError } from "@operator/core";
import { registerCredential, registerSecret, registerUrlSecrets } from "./redact.ts";

/** Option names holding a secret; each may instead be given as `<name>File`, a path to read it from. */
export const SECRET_OPTIONS: readonly string[] = ["bearerToken", "password", "token"];

/** Last words that make an option's string value a secret: `bearerToken`, `apiKey`, `client_secret`... */
const SECRET_WORDS = new Set([
  "token",
  "password",
  "passwd",
  "secret",
  "key",
  "apikey",
  "authorization",
  "auth",
  "credential",
  "credentials",
  "cookie",
]);

/**
 * Registers for redaction every secret in a subject's options (any plugin), before anything is
 * logged: every value of every `headers` object, every string under a secret-bearing name (see
 * {@link isSecretOptionName}), and the password of any `user:password@` in any string, at any depth.
 */
export function registerOptionSecrets(options: unknown, secretContext = false): void {
  if (typeof options === "string") {
    if (secretContext) registerCredential(options);
    registerUrlSecrets(options);
    return;
  }
  if (Array.isArray(options)) {
    for (const item of options) registerOptionSecrets(item, secretContext);
    return;
  }
  if (typeof options !== "object" || options === null) return;
  for (const [name, value] of Object.entries(options)) {
    const isHeaders = name.toLowerCase() === "headers";
    registerOptionSecrets(value, secretContext || isHeaders || isSecretOptionName(name));
  }
}

/**
 * Whether an option name holds a secret: its last word is one of {@link SECRET_WORDS} (`bearerToken`,
 * `api_key`, `password`, `authorization`), not `keyFile`, `tokenUrl` or `keyPrefix`.
 */
export function isSecretOptionName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  const last = words.at(-1);
  return last !== undefined && SECRET_WORDS.has(last);
}

/** Prometheus credentials taken from the environment for `@operator/tikv` subjects. */
export interface PrometheusAuth {
  readonly bearerToken?: string;
  readonly basicAuth?: { readonly username: string; readonly password: string };
}

/**
 * Reads Prometheus credentials from the environment: `PROMETHEUS_BEARER_TOKEN` or
 * `PROMETHEUS_BEARER_TOKEN_FILE`, or `PROMETHEUS_BASIC_AUTH_USER` with `PROMETHEUS_BASIC_AUTH_PASSWORD`
 * or `PROMETHEUS_BASIC_AUTH_PASSWORD_FILE`. Every value read is registered for redaction.
 */
export function prometheusAuthFromEnv(env: NodeJS.ProcessEnv): PrometheusAuth | undefined {
  const token = _fromEnv(env, "PROMETHEUS_BEARER_TOKEN");
  const user = env.PROMETHEUS_BASIC_AUTH_USER;
  const password = _fromEnv(env, "PROMETHEUS_BASIC_AUTH_PASSWORD");
  if (token !== undefined && (user !== undefined || password !== undefined)) {
    throw new ConfigError("Set either PROMETHEUS_BEARER_TOKEN or PROMETHEUS_BASIC_AUTH_*, not both");
  }
  if (token !== undefined) return { bearerToken: token };
  if (user === undefined && password === undefined) return undefined;
  if (user === undefined || password === undefined) {
    throw new ConfigError(
      "PROMETHEUS_BASIC_AUTH_USER and PROMETHEUS_BASIC_AUTH_PASSWORD must be set together",
    );
  }
  registerSecret(Buffer.from(`${user}:${password}`).toString("base64"));
  return { basicAuth: { username: user, password } };
}

/**
 * Returns a copy of plugin options where every `<secret>File` (see {@link SECRET_OPTIONS}), at any
 * depth, is replaced by `<secret>` read from that file (relative to `baseDir`, trailing newline
 * dropped). Inline secrets and file contents are registered for redaction.
 */
export function resolveSecretFiles(
  options: Record<string, unknown>,
  baseDir: string,
  where: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    const secretName = name.endsWith("File") ? name.slice(0, -4) : undefined;
    if (secretName !== undefined && SECRET_OPTIONS.includes(secretName)) {
      if (typeof value !== "string") throw new ConfigError(`${where}.${name} must be a file path`);
      if (options[secretName] !== undefined) {
        throw new ConfigError(`${where}: set either ${secretName} or ${name}, not both`);
      }
      out[secretName] = readSecretFile(
        isAbsolute(value) ? value : resolve(baseDir, value),
        `${where}.${name}`,
      );
    } else if (SECRET_OPTIONS.includes(name) && typeof value === "string") {
      registerSecret(value);
      out[name] = value;
    } else if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      out[name] = resolveSecretFiles(value as Record<string, unknown>, baseDir, `${where}.${name}`);
    } else {
      out[name] = value;
    }
  }
  if (typeof out.username === "string" && typeof out.password === "string") {
    registerSecret(Buffer.from(`${out.username}:${out.password}`).toString("base64"));
  }
  return out;
}

/**
 * Adds environment credentials to `@operator/tikv` options unless they carry their own
 * (`prometheus.bearerToken` or `prometheus.basicAuth`).
 */
export function withPrometheusAuth(
  options: Record<string, unknown>,
  auth: PrometheusAuth | undefined,
): Record<string, unknown> {
  if (auth === undefined) return options;
  const prometheus = (options.prometheus ?? {}) as Record<string, unknown>;
  if (prometheus.bearerToken !== undefined || prometheus.basicAuth !== undefined) return options;
  return { ...options, prometheus: { ...prometheus, ...auth } };
}

/** Reads one secret from a file, registering it for redaction; a {@link ConfigError} names the file. */
export function readSecretFile(path: string, what: string): string {
  let value: string;
  try {
    value = readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${what}: cannot read secret file ${path} (${code})`);
  }
  if (value === "") throw new ConfigError(`${what}: secret file ${path} is empty`);
  registerSecret(value);
  return value;
}

// --- Internal helpers ---

function _fromEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const file = env[`${name}_FILE`];
  const inline = env[name];
  if (file !== undefined && file !== "" && inline !== undefined && inline !== "") {
    throw new ConfigError(`Set either ${name} or ${name}_FILE, not both`);
  }
  if (file !== undefined && file !== "") return readSecretFile(file, `${name}_FILE`);
  if (inline === undefined || inline === "") return undefined;
  registerSecret(inline);
  return inline;
}
