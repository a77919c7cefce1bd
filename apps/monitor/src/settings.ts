import { resolve } from "node:path";
import type { FlapOptions, MonitorOptions, Subject } from "@operator/core";
import { ConfigError, parseDuration, UsageError } from "@operator/core";
import {
  assertHttpUrl,
  type ConfigFile,
  configDir,
  DEFAULT_DB,
  DEFAULT_INTERVAL,
  type ListenAddress,
  loadConfigFile,
  type NotifySpec,
  parseListen,
  parsePositiveDuration,
  type SubjectSpec,
  TIKV_PACKAGE,
} from "./config.ts";
import { resolveDb } from "./db-target.ts";
import type { LogFormat } from "./logger.ts";
import { registerUrlSecrets } from "./redact.ts";
import {
  prometheusAuthFromEnv,
  resolveSecretFiles,
  resolveSecretRefs,
  withPrometheusAuth,
} from "./secrets.ts";

/** The options shared by `monitor` and `check`, as commander parsed them. */
export interface RunFlags {
  readonly pd?: string;
  readonly prometheus?: string;
  readonly name?: string;
  readonly db?: string | false;
  readonly interval?: string;
  readonly deadline?: string;
  readonly unreachableAfter?: string;
  readonly config?: string;
  readonly listen?: string;
  readonly logFormat?: LogFormat;
  readonly demo?: boolean;
  /** `--notify-webhook URL` (repeatable): a `webhook` channel each. */
  readonly notifyWebhook?: readonly string[];
  /** `--notify-alertmanager URL` (repeatable): an `alertmanager` channel each. */
  readonly notifyAlertmanager?: readonly string[];
}

/** Everything `monitor` and `check` need, after flags, environment and config file are merged. */
export interface RunSettings {
  /** `demo` with `--demo`: monitor a simulated cluster. */
  readonly mode: "subjects" | "demo";
  /** Absolute database path, or null for an in-memory store (`check --no-db`). */
  readonly dbPath: string | null;
  readonly intervalMs: number;
  readonly deadlineMs: number | undefined;
  readonly unreachableAfter: number | undefined;
  readonly listen: ListenAddress | undefined;
  readonly logFormat: LogFormat;
  /** Flap detection thresholds from the config file; core checks them. */
  readonly flap: Partial<FlapOptions> | undefined;
  readonly subjects: readonly SubjectSpec[];
  /** Notification channels (the config's `notify`, then `--notify-*` flags); empty for none. */
  readonly notify: readonly NotifySpec[];
}

/** What a command says when nothing names a cluster (exit 2). */
export const NO_CLUSTER =
  "No cluster named: pass --pd URL (or set PD_ENDPOINT) or --config FILE (or set OPERATOR_CONFIG); `operator monitor --demo` runs a demo on a simulated cluster";

/**
 * Merges command-line flags (and their environment variables) over the config file over defaults.
 * `given(flag)` tells whether a flag came from the command line or its environment variable rather
 * than from a default. Throws a {@link ConfigError} for anything that cannot work, and a
 * {@link UsageError} ({@link NO_CLUSTER}) when neither `--pd`, `--config` nor `--demo` is given.
 */
export async function resolveRunSettings(
  flags: RunFlags,
  given: (flag: keyof RunFlags) => "cli" | "env" | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<RunSettings> {
  for (const url of [flags.pd, flags.prometheus]) if (url !== undefined) registerUrlSecrets(url);
  const file = flags.config === undefined ? undefined : await loadConfigFile(resolve(cwd, flags.config));
  const baseDir = flags.config === undefined ? cwd : configDir(resolve(cwd, flags.config));
  for (const flag of ["pd", "prometheus", "name"] as const) {
    if (given(flag) === "cli" && (file !== undefined || flags.demo)) {
      throw new UsageError(`--${flag} cannot be combined with ${flags.demo ? "--demo" : "--config"}`);
    }
  }
  if (flags.demo && file !== undefined) throw new UsageError("--demo cannot be combined with --config");

  const pd = file === undefined && !flags.demo ? flags.pd : undefined;
  if (pd === undefined && file === undefined && given("prometheus") === "cli") {
    throw new UsageError("--prometheus needs --pd (or PD_ENDPOINT)");
  }
  if (file === undefined && pd === undefined && !flags.demo) throw new UsageError(NO_CLUSTER);
  const mode = flags.demo ? "demo" : "subjects";

  const pluginDirs = file?.pluginDir === undefined ? [] : [resolve(baseDir, file.pluginDir)];
  const notify = _notifySpecs(flags, file, baseDir, env, pluginDirs);
  let subjects: SubjectSpec[] = [];
  if (file !== undefined) {
    const auth = prometheusAuthFromEnv(env);
    subjects = file.subjects.map(([packageName, options], i) => {
      const origin = `${flags.config} subjects[${i}]`;
      const referenced = resolveSecretRefs(options, baseDir, env, origin) as Record<string, unknown>;
      const resolved = resolveSecretFiles(referenced, baseDir, origin);
      return {
        packageName,
        options: packageName === TIKV_PACKAGE ? withPrometheusAuth(resolved, auth) : resolved,
        resolveFrom: pluginDirs,
        origin,
      };
    });
  } else if (pd !== undefined) {
    const options: Record<string, unknown> = { name: flags.name ?? "tikv", pdUrl: assertHttpUrl(pd, "--pd") };
    if (flags.prometheus !== undefined) {
      options.prometheusUrl = assertHttpUrl(flags.prometheus, "--prometheus");
    }
    subjects = [
      {
        packageName: TIKV_PACKAGE,
        options: withPrometheusAuth(options, prometheusAuthFromEnv(env)),
        resolveFrom: [],
        origin: "--pd",
      },
    ];
  }

  const pick = <T>(flag: keyof RunFlags, fromFlag: T | undefined, fromFile: T | undefined): T | undefined =>
    given(flag) !== undefined && fromFlag !== undefined ? fromFlag : (fromFile ?? fromFlag);
  const dbFlag = flags.db;
  const dbPath =
    dbFlag === false
      ? null
      : given("db") !== undefined && dbFlag !== undefined
        ? resolveDb(cwd, dbFlag)
        : file?.db !== undefined
          ? resolveDb(baseDir, file.db)
          : resolveDb(cwd, dbFlag ?? DEFAULT_DB);
  const explicitInterval = pick("interval", flags.interval, file?.interval);
  const interval = explicitInterval ?? DEFAULT_INTERVAL;
  const intervalMs = parsePositiveDuration(interval, given("interval") ? "--interval" : "interval");
  const deadline = pick("deadline", flags.deadline, file?.deadline);
  const deadlineMs =
    deadline === undefined
      ? undefined
      : parsePositiveDuration(deadline, given("deadline") ? "--deadline" : "deadline");
  if (deadlineMs !== undefined && explicitInterval !== undefined && deadlineMs >= intervalMs) {
    throw new ConfigError(`The deadline (${deadline}) must be shorter than the interval (${interval})`);
  }
  const unreachable = pick("unreachableAfter", _int(flags.unreachableAfter), file?.unreachableAfter);
  const listen = pick("listen", flags.listen, file?.listen);
  return {
    mode,
    dbPath,
    intervalMs,
    deadlineMs,
    unreachableAfter: unreachable,
    listen: listen === undefined ? undefined : parseListen(listen),
    logFormat: pick("logFormat", flags.logFormat, file?.logFormat) ?? "text",
    flap: _flap(file?.flap),
    subjects,
    notify,
  };
}

/**
 * The options `createMonitor` gets from `settings` for `subjects` (everything but the store and the
 * logger), for {@link checkMonitorOptions} before the database is opened.
 */
export function monitorOptionsFor(
  settings: RunSettings,
  subjects: readonly Subject[],
): Omit<MonitorOptions, "store"> {
  return {
    subjects,
    intervalMs: settings.intervalMs,
    ...(settings.deadlineMs !== undefined ? { deadlineMs: settings.deadlineMs } : {}),
    ...(settings.unreachableAfter !== undefined ? { unreachableAfter: settings.unreachableAfter } : {}),
    ...(settings.flap !== undefined ? { flap: settings.flap } : {}),
  };
}

// --- Internal helpers ---

/**
 * The notification channels: each `notify` entry of the config file (secret references resolved,
 * named `config.json notify[1]` in errors), then one per `--notify-webhook`/`--notify-alertmanager`.
 * Channel names must be unique.
 */
function _notifySpecs(
  flags: RunFlags,
  file: ConfigFile | undefined,
  baseDir: string,
  env: NodeJS.ProcessEnv,
  resolveFrom: readonly string[],
): NotifySpec[] {
  const specs: NotifySpec[] = [];
  (file?.notify ?? []).forEach((entry, i) => {
    const origin = `${flags.config} notify[${i}]`;
    const { type, ...rest } = resolveSecretRefs(entry, baseDir, env, origin) as Record<string, unknown>;
    specs.push({
      type: type as string,
      name: typeof rest.name === "string" ? rest.name : (type as string),
      options: rest,
      resolveFrom,
      origin,
    });
  });
  const fromFlags = [
    ["webhook", "--notify-webhook", flags.notifyWebhook ?? []],
    ["alertmanager", "--notify-alertmanager", flags.notifyAlertmanager ?? []],
  ] as const;
  for (const [type, flag, urls] of fromFlags) {
    urls.forEach((url, i) => {
      registerUrlSecrets(url);
      const name = urls.length === 1 ? type : `${type}-${i + 1}`;
      specs.push({
        type,
        name,
        options: { name, url: assertHttpUrl(url, flag) },
        resolveFrom: [],
        origin: flag,
      });
    });
  }
  const seen = new Map<string, string>();
  for (const spec of specs) {
    const earlier = seen.get(spec.name);
    if (earlier !== undefined) {
      throw new ConfigError(
        `${spec.origin}: channel name "${spec.name}" is already used by ${earlier}; names must be unique (set "name")`,
      );
    }
    seen.set(spec.name, spec.origin);
  }
  return specs;
}

function _flap(flap: ConfigFile["flap"]): Partial<FlapOptions> | undefined {
  if (flap === undefined) return undefined;
  const { window, ...rest } = flap;
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(rest)) if (value !== undefined) out[name] = value;
  if (window !== undefined) out.windowMs = parseDuration(window, "flap.window");
  return out as Partial<FlapOptions>;
}

function _int(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) {
    throw new ConfigError(
      `Invalid --unreachable-after "${value}" (expected a whole decimal number of cycles, 1 or more)`,
    );
  }
  return n;
}
