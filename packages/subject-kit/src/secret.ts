import { ConfigError, readFileCapped } from "@operator/core";
import { z } from "zod";

/**
 * A secret as options give it: the value itself, `{ "$env": "NAME" }` (an environment variable) or
 * `{ "$file": "/path" }` (a file's contents, one trailing newline dropped), like the monitor's config.
 */
export type SecretValue = string | { readonly $env: string } | { readonly $file: string };

/** The zod schema of a {@link SecretValue}. */
export const secretValueSchema: z.ZodType<SecretValue> = z.union([
  z.string().min(1),
  z.strictObject({ $env: z.string().min(1) }),
  z.strictObject({ $file: z.string().min(1) }),
]);

/** Largest file read for a secret or a PEM (bytes). */
export const MAX_SECRET_FILE_BYTES = 1024 * 1024;

/**
 * The value behind a {@link SecretValue}. An unset or empty variable, or a file that cannot be read,
 * is empty or too large, is a `ConfigError` naming `option` (never the value).
 */
export function resolveSecret(
  value: SecretValue,
  option: string,
  prefix: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (typeof value === "string") return value;
  if ("$env" in value) {
    const read = env[value.$env];
    if (read === undefined || read === "") {
      throw new ConfigError(
        `${prefix} Option \`${option}\`: environment variable ${value.$env} is not set (or is empty)`,
      );
    }
    return read;
  }
  return readOptionFile(value.$file, option, prefix).replace(/\r?\n$/, "");
}

/** Reads a file named by an option (a secret, a PEM); a `ConfigError` names the option and the path. */
export function readOptionFile(path: string, option: string, prefix: string): string {
  let buffer: Buffer | undefined;
  try {
    buffer = readFileCapped(path, MAX_SECRET_FILE_BYTES);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
    throw new ConfigError(`${prefix} Option \`${option}\`: cannot read ${path} (${code})`);
  }
  if (buffer === undefined) {
    throw new ConfigError(
      `${prefix} Option \`${option}\`: ${path} is larger than ${MAX_SECRET_FILE_BYTES / 1024} KiB`,
    );
  }
  const text = buffer.toString("utf8");
  if (text.trim() === "") throw new ConfigError(`${prefix} Option \`${option}\`: ${path} is empty`);
  return text;
}
