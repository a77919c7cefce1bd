import { type Command, Option } from "commander";
import { DEFAULT_DB } from "../defaults.ts";
import { LOG_FORMATS } from "../logger.ts";
import type { RunFlags } from "../settings.ts";

/** Adds the options `monitor` and `check` share: where the cluster is, the database, the config file. */
export function addRunOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--pd <url>", "PD endpoint of a TiKV cluster, e.g. http://10.0.1.1:2379").env("PD_ENDPOINT"),
    )
    .addOption(
      new Option("--prometheus <url>", "Prometheus that scrapes the cluster (for latency and disk)").env(
        "PROMETHEUS_URL",
      ),
    )
    .option("--name <name>", 'subject name for --pd, first part of every ticket key (default "tikv")')
    .addOption(
      new Option("--config <file>", "JSON config file with one or more subjects").env("OPERATOR_CONFIG"),
    )
    .addOption(
      new Option("--db <path|url>", "SQLite database file, or a postgres:// URL")
        .env("OPERATOR_DB")
        .default(DEFAULT_DB),
    )
    .option("--deadline <duration>", "per-cycle deadline; reads still out then count as unknown (e.g. 10s)")
    .addOption(
      new Option("--log-format <format>", "log lines on stderr as text or json").choices(LOG_FORMATS),
    );
}

/**
 * Where each option's value came from: the command line or its environment variable (both beat the
 * config file), or nowhere (a default).
 */
export function optionSources(command: Command): (flag: keyof RunFlags) => "cli" | "env" | undefined {
  return (flag) => {
    const source: string | undefined = command.getOptionValueSource(flag);
    return source === "cli" || source === "env" ? source : undefined;
  };
}
