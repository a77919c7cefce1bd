import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { ConfigError, parseDuration } from "@operator/core";
import { z } from "zod";
import { LOG_FORMATS, type LogFormat } from "./logger.ts";
import { registerOptionSecrets } from "./secrets.ts";

export { DEFAULT_DB, DEFAULT_INTERVAL, TIKV_PACKAGE } from "./defaults.ts";

const duration = z.union([z.string(), z.number()]);

/**
 * The JSON configuration file (`--config`). Unknown keys are refused, so a typo is an error rather
 * than a silently ignored setting. Relative paths are relative to the file's directory.
 */
export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  /** The SQLite database. @default "./operator.db" */
  db: z.string().min(1).optional(),
  /** Time between cycle starts, e.g. `30s`, `500ms`. @default "30s" */
  interval: duration.optional(),
  /** Per-cycle deadline; requests still out then are aborted and their results are unknown. */
  deadline: duration.optional(),
  /** Failed cycles in a row before a subject_unreachable ticket opens. @default 3 */
  unreachableAfter: z.number().int().min(1).optional(),
  /**
   * A directory whose `node_modules` holds third-party subject plugins (relative to this file).
   * Plugins are otherwise resolved only from operator's own installation, never from next to the
   * config file.
   */
  pluginDir: z.string().min(1).optional(),
  /** `host:port` for /metrics and /healthz. */
  listen: z.string().optional(),
  logFormat: z.enum(LOG_FORMATS as [LogFormat, ...LogFormat[]]).optional(),
  /** Flap detection thresholds (monitor semantics rule 5); unset fields keep core's defaults. */
  flap: z
    .strictObject({
      historySize: z.number().int().optional(),
      lowWeight: z.number().optional(),
      highWeight: z.number().optional(),
      startPercent: z.number().optional(),
      stopPercent: z.number().optional(),
      window: duration.optional(),
      onsets: z.number().int().optional(),
    })
    .optional(),
  /**
   * Notification channels: `{ "type": <built-in short name or package name>, "name"?, ...options }`.
   * Changing this needs a restart.
   */
  notify: z.array(z.looseObject({ type: z.string().min(1), name: z.string().min(1).optional() })).optional(),
  /** Subjects as `[packageName, options]` pairs; options go to the package's default export. */
  subjects: z.array(z.tuple([z.string().min(1), z.record(z.string(), z.unknown())])).min(1),
});

/** A parsed configuration file. */
export type ConfigFile = z.infer<typeof configFileSchema>;

/** One subject to load: the plugin package, its options, and where to resolve the package from. */
export interface SubjectSpec {
  readonly packageName: string;
  readonly options: Record<string, unknown>;
  /**
   * Plugin directories (the config's `pluginDir`) whose `node_modules` is searched for `packageName`
   * before operator's own installation; empty for none.
   */
  readonly resolveFrom: readonly string[];
  /** Where the subject was declared, for error messages: `config.json subjects[0]` or `--pd`. */
  readonly origin: string;
}

/** One notification channel to build: its type (built-in short name or plugin package) and options. */
export interface NotifySpec {
  /** A built-in channel (`webhook`, `alertmanager`, `slack`, `pagerduty`) or a plugin package name. */
  readonly type: string;
  /** The channel's name: the entry's `name`, or the type. */
  readonly name: string;
  /** The entry without `type`, secret references resolved (`name` kept). */
  readonly options: Record<string, unknown>;
  /** Plugin directories searched for a package `type` (as for subjects). */
  readonly resolveFrom: readonly string[];
  /** Where the channel was declared, for error messages: `config.json notify[1]` or `--notify-webhook`. */
  readonly origin: string;
}

/** A `--listen` address. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Reads and validates a configuration file; throws one {@link ConfigError} naming the file and the problem. */
export async function loadConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? String(error)})`;
    throw new ConfigError(`Config file ${path} ${why}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file ${path} is not valid JSON: ${_jsonProblem(error, text)}`);
  }
  registerOptionSecrets(raw);
  const parsed = configFileSchema.safeParse(raw);
  if (!parsed.success) {
    const [first, ...rest] = parsed.error.issues;
    const where = first && first.path.length > 0 ? `${_formatPath(first.path)}: ` : "";
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length > 1 ? "s" : ""})` : "";
    throw new ConfigError(
      `Config file ${path} is invalid: ${where}${first?.message ?? "unknown problem"}${more}`,
    );
  }
  return parsed.data;
}

/** Parses `host:port`, `[::1]:port` or `:port` (all interfaces); throws a {@link ConfigError}. */
export function parseListen(value: string, what = "--listen"): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65_535) {
    throw new ConfigError(`Invalid ${what} "${value}" (expected host:port, e.g. 127.0.0.1:9464)`);
  }
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

/** Checks that `value` is an absolute http(s) URL; throws a {@link ConfigError} naming `what`. */
export function assertHttpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`Invalid ${what} URL "${value}" (expected e.g. http://127.0.0.1:2379)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`Invalid ${what} URL "${value}": only http and https are supported`);
  }
  return value;
}

/** Parses a duration flag or setting, requiring it to be positive. */
export function parsePositiveDuration(value: string | number, what: string): number {
  const ms = parseDuration(value, what);
  if (ms <= 0) throw new ConfigError(`Invalid ${what}: must be more than 0 (e.g. 500ms, 30s)`);
  return ms;
}

/** Directory of a config file, used to resolve relative paths and plugin packages. */
export function configDir(path: string): string {
  return dirname(resolve(path));
}

// --- Internal helpers ---

/** V8's JSON.parse message without the quoted excerpt of the file (it may hold a secret), with line and column. */
function _jsonProblem(error: unknown, text: string): string {
  const message = (error as Error).message.replace(/,\s*(?:\.\.\.)?".*$/s, "");
  const position = /at position (\d+)/.exec(message);
  const what = message
    .replace(/\s*(?:in JSON )?at position \d+.*$/s, "")
    .replace(/\s*\(line \d+ column \d+\)/, "");
  if (position === null) return what;
  const before = text.slice(0, Number(position[1])).split("\n");
  return `${what} at line ${before.length} column ${(before.at(-1)?.length ?? 0) + 1}`;
}

function _formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i === 0 ? "" : "."}${String(part)}`))
    .join("");
}
