import { ConfigError } from "@operator/core";
import { z } from "zod";
import { resolveSecret, type SecretValue, secretValueSchema } from "./secret.ts";

/** How a client authenticates: a bearer token or Basic credentials, and extra headers. */
export interface AuthOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  readonly bearerToken?: SecretValue | undefined;
  /** Sent as `Authorization: Basic ...`. */
  readonly basicAuth?: { readonly username: string; readonly password: SecretValue } | undefined;
  /** Extra headers (e.g. `X-Scope-OrgID`); each value is treated as a secret. */
  readonly headers?: Readonly<Record<string, SecretValue>> | undefined;
}

/** The zod schema of {@link AuthOptions} (a strict object: unknown keys are refused). */
export const authOptionsSchema = z.strictObject({
  bearerToken: secretValueSchema.optional(),
  basicAuth: z.strictObject({ username: z.string(), password: secretValueSchema }).optional(),
  headers: z.record(z.string(), secretValueSchema).optional(),
});

/**
 * The request headers of {@link AuthOptions}, secrets read. `bearerToken` and `basicAuth` exclude
 * each other, and neither may be combined with an `Authorization` header: each is a `ConfigError`
 * naming the options under `option` (e.g. `prometheus`).
 */
export function resolveAuth(
  auth: AuthOptions | undefined,
  option: string,
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  if (auth === undefined) return {};
  const at = (name: string) => (option === "" ? name : `${option}.${name}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(auth.headers ?? {})) {
    if (/[\r\n]/.test(name))
      throw new ConfigError(`${prefix} Option \`${at("headers")}\` has an invalid header name`);
    const resolved = resolveSecret(value, at(`headers.${name}`), prefix, env);
    if (/[\r\n]/.test(resolved)) {
      throw new ConfigError(`${prefix} Option \`${at(`headers.${name}`)}\` must not contain a line break`);
    }
    headers[name] = resolved;
  }
  if (auth.bearerToken === undefined && auth.basicAuth === undefined) return headers;
  if (auth.bearerToken !== undefined && auth.basicAuth !== undefined) {
    throw new ConfigError(
      `${prefix} Options \`${at("bearerToken")}\` and \`${at("basicAuth")}\` exclude each other`,
    );
  }
  if (Object.keys(headers).some((key) => key.toLowerCase() === "authorization")) {
    throw new ConfigError(
      `${prefix} Option \`${at("headers")}\` sets Authorization as well as \`${at("bearerToken")}\`/\`basicAuth\``,
    );
  }
  if (auth.bearerToken !== undefined) {
    headers.authorization = `Bearer ${resolveSecret(auth.bearerToken, at("bearerToken"), prefix, env)}`;
  } else if (auth.basicAuth !== undefined) {
    const password = resolveSecret(auth.basicAuth.password, at("basicAuth.password"), prefix, env);
    headers.authorization = `Basic ${Buffer.from(`${auth.basicAuth.username}:${password}`).toString("base64")}`;
  }
  return headers;
}
