import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { ConfigError } from "@operator/core";
import type { ApiAuthMode, ApiTokens, TlsFiles } from "@operator/http";
import { type Command, Option } from "commander";
import type { CliLogger } from "./logger.ts";
import { registerSecret } from "./redact.ts";

/** The HTTP API flags `monitor` and `serve` share, as commander parsed them. */
export interface ApiFlags {
  readonly apiTokensFile?: string;
  readonly apiAuth?: ApiAuthMode;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

/** What the HTTP API needs from the flags and the environment. */
export interface ApiSettings {
  readonly tokens: ApiTokens;
  readonly auth: ApiAuthMode;
  readonly tls: TlsFiles | undefined;
}

/** Adds `--api-tokens-file`, `--api-auth`, `--tls-cert` and `--tls-key`. */
export function addApiOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--api-tokens-file <file>",
        "bearer tokens of the HTTP API, one name:token a line (the name is the default `by` of actions); OPERATOR_API_TOKEN adds one named api",
      ).env("OPERATOR_API_TOKENS_FILE"),
    )
    .addOption(
      new Option("--api-auth <mode>", "which API requests need a token: writes (default) or all")
        .choices(["writes", "all"])
        .env("OPERATOR_API_AUTH"),
    )
    .addOption(
      new Option("--tls-cert <file>", "serve HTTPS with this PEM certificate (with --tls-key)").env(
        "OPERATOR_TLS_CERT",
      ),
    )
    .addOption(new Option("--tls-key <file>", "the PEM private key of --tls-cert").env("OPERATOR_TLS_KEY"));
}

/**
 * Reads the API's tokens (`OPERATOR_API_TOKEN`, named `api`, and the `--api-tokens-file` lines) and
 * TLS files. Every token is registered as a secret, so no log line or message can print it. Throws a
 * ConfigError, naming the file or variable but never a token, for anything that cannot work.
 */
export async function resolveApiSettings(
  flags: ApiFlags,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ApiSettings> {
  const { apiTokens, ENV_TOKEN_NAME, tokenLines } = await import("@operator/http");
  const pairs: [string, string][] = [];
  const fromEnv = env.OPERATOR_API_TOKEN;
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    registerSecret(fromEnv.trim());
    pairs.push([ENV_TOKEN_NAME, fromEnv.trim()]);
  }
  if (flags.apiTokensFile !== undefined) {
    const file = resolve(cwd, flags.apiTokensFile);
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new ConfigError(
        `--api-tokens-file ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
    const lines = tokenLines(text, `--api-tokens-file ${file}`);
    for (const [, token] of lines) registerSecret(token);
    pairs.push(...lines);
  }
  const tokens = apiTokens(
    pairs,
    flags.apiTokensFile !== undefined ? "--api-tokens-file and OPERATOR_API_TOKEN" : "OPERATOR_API_TOKEN",
  );
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) {
    throw new ConfigError("--tls-cert and --tls-key go together: pass both or neither");
  }
  const tls =
    flags.tlsCert !== undefined && flags.tlsKey !== undefined
      ? { certFile: resolve(cwd, flags.tlsCert), keyFile: resolve(cwd, flags.tlsKey) }
      : undefined;
  const auth = flags.apiAuth ?? "writes";
  if (auth === "all" && tokens.size === 0) {
    throw new ConfigError("--api-auth all needs a token: set OPERATOR_API_TOKEN or pass --api-tokens-file");
  }
  return { tokens, auth, tls };
}

/** Warns when the API answers reads without a token on an address other machines can reach. */
export function warnIfOpen(logger: CliLogger, host: string, api: ApiSettings): void {
  const loopback = host === "localhost" || host === "::1" || host.startsWith("127.");
  if (loopback || api.auth === "all") return;
  logger.warn(
    `The HTTP API on ${host} answers reads without a token: bind --listen to 127.0.0.1 or pass --api-auth all`,
  );
}
