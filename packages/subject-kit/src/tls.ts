import { createSecureContext } from "node:tls";
import { ConfigError } from "@operator/core";
import { z } from "zod";
import { readOptionFile, resolveSecret, type SecretValue, secretValueSchema } from "./secret.ts";

/**
 * TLS settings of a client, as options give them. Each PEM is given inline (`ca`, `cert`, `key`) or
 * as a path (`caFile`, `certFile`, `keyFile`), not both. `cert` and `key` go together (a client
 * certificate, for servers started with `--client-cert-auth`); `ca` replaces the system's CAs;
 * `serverName` is the name the server's certificate must carry when it differs from the URL's host.
 */
export interface TlsOptions {
  readonly ca?: string | undefined;
  readonly caFile?: string | undefined;
  readonly cert?: string | undefined;
  readonly certFile?: string | undefined;
  /** The client's private key (a secret: `$env`/`$file` references are accepted). */
  readonly key?: SecretValue | undefined;
  readonly keyFile?: string | undefined;
  readonly serverName?: string | undefined;
}

/** The zod schema of {@link TlsOptions} (a strict object: unknown keys are refused). */
export const tlsOptionsSchema = z.strictObject({
  ca: z.string().min(1).optional(),
  caFile: z.string().min(1).optional(),
  cert: z.string().min(1).optional(),
  certFile: z.string().min(1).optional(),
  key: secretValueSchema.optional(),
  keyFile: z.string().min(1).optional(),
  serverName: z.string().min(1).optional(),
});

/** {@link TlsOptions} with every PEM read and checked. Its key never appears in its JSON, string or inspect form. */
export interface ResolvedTls {
  readonly ca: string | undefined;
  readonly cert: string | undefined;
  readonly key: string | undefined;
  readonly serverName: string | undefined;
}

/**
 * Reads and checks TLS options under `option` (e.g. `pd.tls`): files are read now, PEMs must parse,
 * the key must match the certificate, and `cert`/`key` come together. Each problem is one
 * `ConfigError` naming the option, never quoting key material. Returns undefined for no options.
 */
export function resolveTls(
  input: TlsOptions | undefined,
  option: string,
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedTls | undefined {
  if (input === undefined) return undefined;
  const fail = (message: string) => new ConfigError(`${prefix} Option \`${option}\`: ${message}`);
  const pem = (inline: string | undefined, file: string | undefined, name: "ca" | "cert") => {
    if (inline !== undefined && file !== undefined)
      throw fail(`set either \`${name}\` or \`${name}File\`, not both`);
    const text = file === undefined ? inline : readOptionFile(file, `${option}.${name}File`, prefix);
    if (text !== undefined && !text.includes("-----BEGIN CERTIFICATE-----")) {
      throw fail(
        `\`${name}${file === undefined ? "" : "File"}\` is not a PEM certificate (-----BEGIN CERTIFICATE-----)`,
      );
    }
    return text;
  };
  const ca = pem(input.ca, input.caFile, "ca");
  const cert = pem(input.cert, input.certFile, "cert");
  if (input.key !== undefined && input.keyFile !== undefined)
    throw fail("set either `key` or `keyFile`, not both");
  const key =
    input.keyFile !== undefined
      ? readOptionFile(input.keyFile, `${option}.keyFile`, prefix)
      : input.key === undefined
        ? undefined
        : resolveSecret(input.key, `${option}.key`, prefix, env);
  if (key !== undefined && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    throw fail("the key is not a PEM private key (-----BEGIN ... PRIVATE KEY-----)");
  }
  if ((cert === undefined) !== (key === undefined)) {
    throw fail("a client certificate needs both `cert` (or `certFile`) and `key` (or `keyFile`)");
  }
  try {
    createSecureContext({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    const mismatch = /mismatch/i.test(String((error as Error).message));
    throw fail(
      mismatch
        ? "the key does not belong to the certificate"
        : `the certificates or key could not be loaded${code ? ` (${code})` : ""}`,
    );
  }
  const resolved: ResolvedTls = { ca, cert, key, serverName: input.serverName };
  const safe = () => describeTls(resolved);
  Object.defineProperties(resolved, {
    toJSON: { value: safe, enumerable: false },
    toString: { value: () => `TLS ${JSON.stringify(safe())}`, enumerable: false },
    [Symbol.for("nodejs.util.inspect.custom")]: { value: safe, enumerable: false },
  });
  return Object.freeze(resolved);
}

/** What may be logged of TLS settings: which parts are set, the key as `[redacted]`. */
export function describeTls(tls: ResolvedTls | undefined): Record<string, string> | undefined {
  if (tls === undefined) return undefined;
  const out: Record<string, string> = {};
  if (tls.ca !== undefined) out.ca = "set";
  if (tls.cert !== undefined) out.cert = "set";
  if (tls.key !== undefined) out.key = "[redacted]";
  if (tls.serverName !== undefined) out.serverName = tls.serverName;
  return out;
}

/** A `ConfigError` when TLS options are given for a URL that is not `https://`. */
export function assertTlsUrl(
  tls: ResolvedTls | undefined,
  url: string,
  option: string,
  urlOption: string,
  prefix: string,
): void {
  if (tls !== undefined && new URL(url).protocol !== "https:") {
    throw new ConfigError(
      `${prefix} Option \`${option}\` is set but \`${urlOption}\` is not an https:// URL`,
    );
  }
}

/** Whether a fetch failure is a TLS failure (a retry cannot fix it). */
export function isTlsFailure(error: unknown): boolean {
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === "string" && TLS_CODE.test(code);
}

/**
 * One line naming TLS for a connection failure that is one, e.g. `TLS: the server's certificate is not
 * signed by a trusted CA; set tls.ca (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`, else undefined. On an
 * `https://` URL, a connection closed before any answer is reported as TLS too: a server that requires
 * a client certificate closes it when it got none, or one it does not trust.
 */
export function describeTlsFailure(
  code: string | undefined,
  message: string | undefined,
  https: boolean,
): string | undefined {
  if (code === undefined) return undefined;
  const explained = TLS_EXPLAINED[code];
  if (explained) return `TLS: ${explained} (${code})`;
  if (/CERTIFICATE_REQUIRED|BAD_CERTIFICATE|UNKNOWN_CA|HANDSHAKE_FAILURE/.test(code)) {
    return `TLS: the server refused the client certificate or its absence (${code}); check tls.cert and tls.key`;
  }
  if (code === "ERR_SSL_WRONG_VERSION_NUMBER" || code === "ERR_SSL_PACKET_LENGTH_TOO_LONG") {
    return `TLS: the server did not answer in TLS (${code}); is it serving plain http?`;
  }
  if (TLS_CODE.test(code))
    return `TLS: handshake failed (${code}${message ? `: ${message.slice(0, 120)}` : ""})`;
  if (https && code === "ECONNRESET") {
    return `TLS: the server closed the connection before answering (${code}); it may require a client certificate it trusts (tls.cert, tls.key)`;
  }
  return undefined;
}

// --- Internal helpers ---

const TLS_CODE =
  /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$|HOSTNAME_MISMATCH|ERR_OSSL_)/;

const TLS_EXPLAINED: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by a trusted CA; set tls.ca",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by a trusted CA; set tls.ca",
  UNABLE_TO_GET_ISSUER_CERT: "the server's certificate is not signed by a trusted CA; set tls.ca",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in an untrusted CA; set tls.ca",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted; set tls.ca",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host; set tls.serverName",
};
