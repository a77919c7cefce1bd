import { readFileSync } from "node:fs";
import { ConfigError, type NotificationFilter, SEVERITIES, TICKET_EVENT_KINDS } from "@operator/core";
import { z } from "zod";
import { createRedactor } from "./redact.ts";

/** Per-request timeout when `timeoutMs` is not given (the delivery deadline may shorten it). */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Most bytes of a receiver's answer read when `maxBodyBytes` is not given. */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** Options every channel accepts. */
export interface CommonOptions {
  /** The channel's name in delivery state, metrics and status; default: its type. */
  readonly name?: string;
  /** Which notifications the channel wants; all when absent. */
  readonly filter?: NotificationFilter;
  /** Longest wait for one request, ms (default 10 000); the delivery deadline may shorten it. */
  readonly timeoutMs?: number;
  /** Most bytes of an answer read (default 64 KiB). */
  readonly maxBodyBytes?: number;
}

/** Zod fields shared by every channel's options. */
export const COMMON_FIELDS = {
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
      "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
    )
    .optional(),
  filter: z
    .strictObject({
      severities: z
        .array(z.enum(SEVERITIES as [string, ...string[]]))
        .min(1)
        .optional(),
      subjects: z.array(z.string().min(1)).min(1).optional(),
      invariants: z.array(z.string().min(1)).min(1).optional(),
      kinds: z.array(z.enum(TICKET_EVENT_KINDS)).min(1).optional(),
    })
    .optional(),
  timeoutMs: z.number().int().min(1).max(600_000).optional(),
  maxBodyBytes: z
    .number()
    .int()
    .min(256)
    .max(16 * 1024 * 1024)
    .optional(),
};

/** An http(s) URL. */
export const httpUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");

/** Extra request headers: valid names, string values; `reserved` names are refused. */
export function headersSchema(reserved: readonly string[]) {
  return z.record(z.string(), z.string()).superRefine((headers, context) => {
    for (const [name, value] of Object.entries(headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) {
        context.addIssue({ code: "custom", message: "is not a valid header name", path: [name] });
      } else if (reserved.includes(name.toLowerCase())) {
        context.addIssue({ code: "custom", message: "is set by the channel itself", path: [name] });
      } else if (!isHeaderValue(value)) {
        context.addIssue({
          code: "custom",
          message: "must not contain line breaks or control characters",
          path: [name],
        });
      }
    }
  });
}

/** True when a value can be sent in an HTTP header (no line breaks, NUL or other controls but tab). */
export function isHeaderValue(value: string): boolean {
  return !HEADER_CONTROL.test(value);
}

/** A header-bound secret (a bearer token) checked: a line break would make every request fail. */
export function checkHeaderSecret(
  type: string,
  option: string,
  value: string | undefined,
): string | undefined {
  if (value !== undefined && !isHeaderValue(value)) {
    throw new ConfigError(
      `${prefix(type)} Option \`${option}\` (or \`${option}File\`) must not contain line breaks or control characters`,
    );
  }
  return value;
}

/** The type prefix of every message: `[notify:webhook]`. */
export function prefix(type: string): string {
  return `[notify:${type}]`;
}

/**
 * Validates options with a zod schema; throws one {@link ConfigError} naming the first bad option,
 * free of every string given in the options (any may be a secret).
 */
export function parseOptions<T>(type: string, schema: z.ZodType<T>, input: unknown): T {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(`${prefix(type)} Options must be an object`);
  }
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join(".") ?? "";
  const keys = issue?.code === "unrecognized_keys" ? issue.keys : [];
  const inner = issue?.code === "invalid_key" ? issue.issues[0]?.message : undefined;
  const missing = issue?.code === "invalid_type" && _at(input, issue.path) === undefined;
  const message =
    keys.length > 0
      ? `Unknown option \`${[...(path ? [path] : []), keys[0]].join(".")}\``
      : missing
        ? `Missing required option \`${path}\``
        : `Option \`${path}\` ${_lower(inner ?? issue?.message ?? "is invalid")}`;
  throw new ConfigError(`${prefix(type)} ${createRedactor(stringsIn(input))(message)}`);
}

/**
 * Resolves a secret given either as a value (`secret`) or as a file (`secretFile`, read once, one
 * trailing newline dropped). Both at once, an empty value or an unreadable file is a ConfigError that
 * names the option (and the file's path), never the secret.
 */
export function resolveSecret(
  type: string,
  option: string,
  value: string | undefined,
  file: string | undefined,
  required: boolean,
): string | undefined {
  if (value !== undefined && file !== undefined) {
    throw new ConfigError(`${prefix(type)} Options \`${option}\` and \`${option}File\` exclude each other`);
  }
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new ConfigError(
        `${prefix(type)} Option \`${option}File\`: cannot read ${JSON.stringify(file)} (${typeof code === "string" ? code : "error"})`,
      );
    }
    const secret = text.replace(/\r?\n$/, "");
    if (secret.trim() === "")
      throw new ConfigError(`${prefix(type)} Option \`${option}File\`: ${JSON.stringify(file)} is empty`);
    return secret;
  }
  if (value !== undefined) {
    if (value.trim() === "") throw new ConfigError(`${prefix(type)} Option \`${option}\` is empty`);
    return value;
  }
  if (required)
    throw new ConfigError(`${prefix(type)} Missing required option \`${option}\` (or \`${option}File\`)`);
  return undefined;
}

/** Checks a URL read from a file (`urlFile`) like one given inline; the message never shows it. */
export function checkUrl(type: string, option: string, url: string): string {
  if (!httpUrl.safeParse(url).success) {
    throw new ConfigError(`${prefix(type)} Option \`${option}\` must be an http:// or https:// URL`);
  }
  return url;
}

/** Every string inside a value (keys excluded), for redacting messages about it. */
export function stringsIn(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (typeof value === "object" && value !== null)
    for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

/** A filter with only the fields that were given (exactOptionalPropertyTypes-safe). */
export function toFilter(filter: z.infer<typeof COMMON_FIELDS.filter>): NotificationFilter | undefined {
  if (filter === undefined) return undefined;
  const out: { -readonly [K in keyof NotificationFilter]: NotificationFilter[K] } = {};
  if (filter.severities) out.severities = filter.severities as NotificationFilter["severities"] & {};
  if (filter.subjects) out.subjects = filter.subjects;
  if (filter.invariants) out.invariants = filter.invariants;
  if (filter.kinds) out.kinds = filter.kinds as NotificationFilter["kinds"] & {};
  return Object.freeze(out);
}

function _lower(message: string): string {
  const text = message.replace(/^Invalid input: /, "");
  return /^(must|is|use|expected)/.test(text) ? text : `is invalid: ${text}`;
}

function _at(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const HEADER_CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;
