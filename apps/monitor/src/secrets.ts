import { isAbsolute, resolve } from "node:path";
import { ConfigError, readFileCapped } from "@operator/core";
import { registerCredential, registerSecret, registerUrlSecrets } from "./redact.ts";

/** The largest secret file read; a bigger one is refused (a path to the wrong file, or a device). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

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
 * A secret reference (`{ "$env": ... }`, `{ "$file": ... }`) names where a secret is, not the secret:
 * what it names is registered when {@link resolveSecretRefs} reads it.
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
  if (isSecretRef(options)) return;
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

/**
 * Returns a copy of `value` (a subject's options) where every secret reference, at any depth, is
 * replaced by what it names: `{ "$env": "NAME" }` by the environment variable NAME, `{ "$file":
 * "path" }` by the file's contents (relative to `baseDir`, the config file's directory; one trailing
 * newline dropped). Every value read is registered for redaction. A variable that is unset or empty,
 * a file that cannot be read or is empty, and an object mixing `$env`/`$file` with other keys are
 * each one {@link ConfigError} naming the option's path (`where`, e.g. `config.json subjects[0]`, then
 * `.prometheus.headers.X-Token`).
 */
export function resolveSecretRefs(
  value: unknown,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  where: string,
): unknown {
  if (Array.isArray(value))
    return value.map((item, i) => resolveSecretRefs(item, baseDir, env, `${where}[${i}]`));
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  const ref = keys.find((key) => key === "$env" || key === "$file");
  if (ref !== undefined) {
    if (keys.length !== 1) {
      throw new ConfigError(
        `${where}: a secret reference has exactly one key, "$env" or "$file" (found ${keys.join(", ")})`,
      );
    }
    const target = record[ref];
    if (typeof target !== "string" || target === "") {
      throw new ConfigError(`${where}.${ref} must be ${ref === "$env" ? "a variable name" : "a file path"}`);
    }
    if (ref === "$file") return readSecretFile(isAbsolute(target) ? target : resolve(baseDir, target), where);
    const read = env[target];
    if (read === undefined || read === "") {
      throw new ConfigError(`${where}: environment variable ${target} is not set (or is empty)`);
    }
    registerSecret(read);
    return read;
  }
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(record))
    out[name] = resolveSecretRefs(item, baseDir, env, `${where}.${name}`);
  return out;
}

/** Whether `value` is a secret reference: an object with a `$env` or `$file` key. */
export function isSecretRef(value: unknown): boolean {
  return typeof value === "object" && value !== null && ("$env" in value || "$file" in value);
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
  let buffer: Buffer | undefined;
  try {
    buffer = readFileCapped(path, MAX_SECRET_FILE_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${what}: cannot read secret file ${path} (${code})`);
  }
  if (buffer === undefined) {
    throw new ConfigError(`${what}: secret file ${path} is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB`);
  }
  const value = buffer.toString("utf8").replace(/\r?\n$/, "");
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
