import type { Monitor, Subject } from "@operator/core";
import type { CliLogger } from "./logger.ts";
import type { MonitorMetrics, ReloadAnswer } from "./metrics-server.ts";
import { logOrphans } from "./orphan-log.ts";
import { redact } from "./redact.ts";
import type { RunSettings } from "./settings.ts";
import { disposeSubjects } from "./subjects.ts";

/** How the daemon re-reads its configuration: the file, and how to turn it into settings and subjects. */
export interface ReloadSource {
  /** The `--config` file, for log lines. */
  readonly file: string;
  /** Re-reads the file with the daemon's command-line flags and environment (`resolveRunSettings`). */
  readSettings(): Promise<RunSettings>;
  /** Loads the subjects of new settings (`loadSubjects`). */
  loadSubjects(settings: RunSettings): Promise<Subject[]>;
}

/** Reloads the configuration on SIGHUP or `POST /-/reload`. */
export interface Reloader {
  /** Re-reads the configuration and applies it from the next cycle, or refuses it; never throws. */
  reload(trigger: string): Promise<ReloadAnswer>;
  /** Resolves once no reload is in flight. */
  settled(): Promise<void>;
}

/**
 * Settings a reload cannot change: they shape the database, the listener, the logger or the loop's
 * schedule, which are set up once. A file that changes one is refused, naming it.
 */
const RESTART_FIELDS: readonly { readonly field: keyof RunSettings; readonly name: string }[] = [
  { field: "dbPath", name: "db" },
  { field: "listen", name: "listen" },
  { field: "intervalMs", name: "interval" },
  { field: "deadlineMs", name: "deadline" },
  { field: "unreachableAfter", name: "unreachableAfter" },
  { field: "flap", name: "flap" },
  { field: "logFormat", name: "logFormat" },
  { field: "notify", name: "notify" },
];

/**
 * Creates the reloader of a running daemon. Reloads run one at a time. A reload re-reads the file;
 * a file that fails validation, a plugin that fails to load, or a change to a setting that needs a
 * restart is refused with one log line, `operator_config_last_reload_successful 0`, and the daemon
 * carries on with the configuration it has. Otherwise the monitor swaps subjects before its next
 * cycle (state in the database is kept), orphaned tickets are resolved and logged, and the metric is 1.
 * Without a source (no `--config`), a reload only logs that there is nothing to reload.
 */
export function createReloader(options: {
  readonly monitor: Pick<Monitor, "replaceSubjects">;
  readonly settings: RunSettings;
  readonly source: ReloadSource | undefined;
  readonly logger: CliLogger;
  readonly metrics: MonitorMetrics;
  readonly now?: () => number;
}): Reloader {
  const { monitor, source, logger, metrics } = options;
  const now = options.now ?? Date.now;
  let current = options.settings;
  let chain: Promise<unknown> = Promise.resolve();

  function refuse(file: string, trigger: string, why: string): ReloadAnswer {
    const message = `Reload refused (${trigger}): ${why}; still running the previous configuration of ${file}`;
    logger.error(message, { trigger, config: file });
    metrics.recordReload(false, now());
    return { ok: false, message };
  }

  async function run(trigger: string): Promise<ReloadAnswer> {
    if (source === undefined) {
      const message = `Received ${trigger}: nothing to reload, the daemon was started without --config`;
      logger.warn(message, { trigger });
      return { ok: false, message };
    }
    logger.info(`Received ${trigger}: reloading ${source.file}`, { trigger, config: source.file });
    let next: RunSettings;
    try {
      next = await source.readSettings();
    } catch (error) {
      return refuse(source.file, trigger, errorMessage(error));
    }
    const changed = RESTART_FIELDS.filter(({ field }) => stable(current[field]) !== stable(next[field]));
    if (changed.length > 0) {
      const names = changed.map((c) => c.name).join(", ");
      return refuse(source.file, trigger, `${names} changed, which needs a restart`);
    }
    let subjects: Subject[];
    try {
      subjects = await source.loadSubjects(next);
    } catch (error) {
      return refuse(source.file, trigger, errorMessage(error));
    }
    let swap: Awaited<ReturnType<Monitor["replaceSubjects"]>>;
    try {
      swap = await monitor.replaceSubjects(subjects);
    } catch (error) {
      await disposeSubjects(subjects);
      return refuse(source.file, trigger, errorMessage(error));
    }
    current = next;
    metrics.recordReload(true, now());
    const parts = [`${subjects.length} subject${subjects.length === 1 ? "" : "s"}`];
    if (swap.added.length > 0) parts.push(`added ${swap.added.join(", ")}`);
    if (swap.removed.length > 0) parts.push(`removed ${swap.removed.join(", ")}`);
    const message = `Configuration reloaded from ${source.file}: ${parts.join("; ")}`;
    logger.info(message, {
      trigger,
      config: source.file,
      subjects: subjects.map((s) => s.name),
      added: swap.added,
      removed: swap.removed,
    });
    if (swap.orphans) logOrphans(logger, swap.orphans);
    return { ok: true, message };
  }

  return {
    reload(trigger) {
      const next = chain.then(() => run(trigger));
      chain = next.catch(() => undefined);
      return next;
    },
    async settled() {
      await chain;
    },
  };
}

/** An error's message with any registered secret redacted. */
function errorMessage(error: unknown): string {
  return redact(error instanceof Error ? error.message : String(error));
}

/** JSON with sorted keys, so two settings objects compare by value. */
function stable(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(
            Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
          )
        : v,
    ) ?? "undefined"
  );
}
