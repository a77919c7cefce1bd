import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Per-invariant overrides, as the config file takes them (`for`, `clear`, `thresholds`, ...). */
export type InvariantOverridesConfig = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

/** What goes into the daemon's config file for one TiKV subject. */
export interface MonitorConfigOptions {
  /** The subject's name: first part of every violation key. */
  readonly subject: string;
  readonly pdUrl: string;
  readonly prometheusUrl: string;
  /** Invariant overrides, e.g. `{ high_latency: { for: "5s" } }`. */
  readonly invariants?: InvariantOverridesConfig;
  /** Further options of the `@operator/tikv` plugin (e.g. a shorter rate window). */
  readonly subjectOptions?: Readonly<Record<string, unknown>>;
  /** Top-level settings of the config file (`unreachableAfter`, `deadline`, ...). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** Builds the config file object: one `@operator/tikv` subject with the given overrides. */
export function monitorConfig(options: MonitorConfigOptions): Record<string, unknown> {
  return {
    ...options.settings,
    subjects: [
      [
        "@operator/tikv",
        {
          name: options.subject,
          pdUrl: options.pdUrl,
          prometheusUrl: options.prometheusUrl,
          ...options.subjectOptions,
          ...(options.invariants ? { invariants: options.invariants } : {}),
        },
      ],
    ],
  };
}

/** Writes the config file into `dir` and returns its path. */
export async function writeMonitorConfig(dir: string, options: MonitorConfigOptions): Promise<string> {
  const path = join(dir, `${options.subject}.config.json`);
  await writeFile(path, `${JSON.stringify(monitorConfig(options), null, 2)}\n`);
  return path;
}
