import { readFileSync, statSync } from "node:fs";
import type { ConnectionOptions } from "node:tls";
import { PostgresConfigError } from "./errors.ts";

/** TLS modes, as libpq names them. */
export const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

/** One of {@link SSL_MODES}. */
export type SslMode = (typeof SSL_MODES)[number];

/** How to reach the server, besides the URL. Each setting overrides the URL's and the environment's. */
export interface PostgresConnectionOptions {
  /** The password, when it is not in the URL. */
  readonly password?: string;
  /** A file holding the password (trailing newline ignored; at most 64 KiB). */
  readonly passwordFile?: string;
  /** TLS mode. @default the URL's `sslmode`, else `PGSSLMODE`, else `prefer` (as libpq) */
  readonly sslmode?: SslMode;
  /** A PEM file of certificate authorities to verify the server with. @default the URL's `sslrootcert`, else `PGSSLROOTCERT` */
  readonly sslRootCert?: string;
  /** Environment for `PGPASSWORD`, `PGSSLMODE`, `PGSSLROOTCERT`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What the driver is given: a URL without secrets, and the secrets and TLS settings beside it. */
export interface ConnectionSettings {
  /** The URL with its password and TLS parameters removed. */
  readonly url: string;
  /** The URL as it may be shown: no password, no query string. */
  readonly target: string;
  readonly password: string | undefined;
  readonly ssl: false | "prefer" | "allow" | "require" | ConnectionOptions;
}

const MAX_SECRET_FILE_BYTES = 64 * 1024;

/** Whether `value` is a PostgreSQL URL (`postgres://` or `postgresql://`). */
export function isPostgresUrl(value: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(value);
}

/**
 * The URL as it may be shown in logs, errors and /healthz: `postgres://user@host:port/db`, with the
 * password and the query string (which may carry `password=`) left out. An unparseable URL is shown as
 * `postgres://[unparseable]`.
 */
export function redactPostgresUrl(value: string): string {
  try {
    const url = new URL(value);
    const user = url.username === "" ? "" : `${url.username}@`;
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return "postgres://[unparseable]";
  }
}

/**
 * Reads `value` and `options` into {@link ConnectionSettings}. Throws {@link PostgresConfigError}
 * naming what is wrong: not a PostgreSQL URL, an unknown `sslmode`, an unreadable password or CA file.
 */
export function connectionSettings(
  value: string,
  options: PostgresConnectionOptions = {},
): ConnectionSettings {
  const env = options.env ?? process.env;
  const target = redactPostgresUrl(value);
  if (!isPostgresUrl(value)) {
    throw new PostgresConfigError(target, "A PostgreSQL URL starts with postgres:// or postgresql://");
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new PostgresConfigError(
      target,
      "The PostgreSQL URL cannot be parsed; check its host, port and escaping",
    );
  }
  if (url.hostname === "")
    throw new PostgresConfigError(target, `The PostgreSQL URL ${target} names no host`);
  const fromUrl = (name: string) => {
    const found = url.searchParams.get(name) ?? undefined;
    url.searchParams.delete(name);
    return found === "" ? undefined : found;
  };
  const urlPassword = url.password === "" ? fromUrl("password") : decodeURIComponent(url.password);
  url.password = "";
  url.searchParams.delete("password");
  const mode = options.sslmode ?? fromUrl("sslmode") ?? nonEmpty(env.PGSSLMODE) ?? "prefer";
  const rootCert = options.sslRootCert ?? fromUrl("sslrootcert") ?? nonEmpty(env.PGSSLROOTCERT);
  if (!(SSL_MODES as readonly string[]).includes(mode)) {
    throw new PostgresConfigError(target, `Unknown sslmode "${mode}"; use one of ${SSL_MODES.join(", ")}`);
  }
  const password =
    options.password ??
    (options.passwordFile !== undefined
      ? readSecretFile(target, options.passwordFile, "password")
      : undefined) ??
    urlPassword ??
    nonEmpty(env.PGPASSWORD);
  return { url: url.toString(), target, password, ssl: tlsSettings(target, mode as SslMode, rootCert) };
}

function tlsSettings(target: string, mode: SslMode, rootCert: string | undefined): ConnectionSettings["ssl"] {
  const ca = rootCert === undefined ? undefined : readSecretFile(target, rootCert, "CA certificate");
  switch (mode) {
    case "disable":
      return false;
    case "allow":
    case "prefer":
      return mode;
    case "require":
      // As libpq: with a root certificate, require verifies the chain like verify-ca.
      return ca === undefined
        ? "require"
        : { ca, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case "verify-ca":
      return {
        ...(ca === undefined ? {} : { ca }),
        rejectUnauthorized: true,
        checkServerIdentity: () => undefined,
      };
    case "verify-full":
      return { ...(ca === undefined ? {} : { ca }), rejectUnauthorized: true };
  }
}

function readSecretFile(target: string, path: string, what: string): string {
  try {
    const size = statSync(path).size;
    if (size > MAX_SECRET_FILE_BYTES) {
      throw new PostgresConfigError(
        target,
        `The ${what} file ${path} is larger than 64 KiB; is it the right file?`,
      );
    }
    return readFileSync(path, "utf8").replace(/\r?\n$/, "");
  } catch (error) {
    if (error instanceof PostgresConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new PostgresConfigError(target, `Cannot read the ${what} file ${path} (${code})`, { cause: error });
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
