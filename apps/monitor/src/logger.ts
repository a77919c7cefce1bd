import { escapeJsonText, escapeText } from "./escape.ts";
import { redact } from "./redact.ts";

/** Extra structured fields of one log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where log lines go: stderr, as text for people or one JSON object per line for machines. */
export interface CliLogger {
  /** Written only when the logger was created with `debug` (the `--verbose` flag or `DEBUG=1`). */
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Formats a log line for people or for machines. */
export type LogFormat = "text" | "json";

/** The log formats `--log-format` accepts. */
export const LOG_FORMATS: readonly LogFormat[] = ["text", "json"];

type Level = "debug" | "info" | "warn" | "error";

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Write `debug` lines too. @default false */
  readonly debug?: boolean;
}

/**
 * A logger writing to `stream` (stderr by default). `text` lines are for people and carry the
 * message only: `2026-01-02T03:04:05.678Z info  Check complete: ...` (messages already state their
 * facts); `json` lines are `{"time":"...","level":"info","msg":"...",...fields}` with the structured
 * fields for machines. `debug` lines are dropped unless `options.debug`. Control characters in messages are escaped (`\x1b`, `\n` in text, JSON
 * escapes in JSON), so one call is always one line; every line passes through {@link redact}.
 */
export function createLogger(
  format: LogFormat,
  stream: { write(chunk: string): unknown } = process.stderr,
  now: () => number = Date.now,
  options: LoggerOptions = {},
): CliLogger {
  const write = (level: Level, message: string, fields?: LogFields): void => {
    const time = new Date(now()).toISOString();
    const line =
      format === "json"
        ? escapeJsonText(JSON.stringify({ time, level, msg: message, ...fields }, _jsonReplacer))
        : `${time} ${level.padEnd(5)} ${escapeText(message)}`;
    stream.write(`${redact(line)}\n`);
  };
  return {
    debug: options.debug ? (message, fields) => write("debug", message, fields) : () => undefined,
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}

// --- Internal helpers ---

function _jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (typeof value === "bigint") return value.toString();
  return value;
}
