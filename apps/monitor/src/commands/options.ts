import { resolve } from "node:path";
import { ConfigError } from "@operator/core";
import { type Command, Option } from "commander";
import { resolveDb } from "../db-target.ts";
import { DEFAULT_DB } from "../defaults.ts";

/** `--db PATH` (env `OPERATOR_DB`), shared by every command that touches the database. */
export function dbOption(): Option {
  return new Option("--db <path|url>", "SQLite database file, or a postgres:// URL")
    .env("OPERATOR_DB")
    .default(DEFAULT_DB);
}

/** `--config FILE` (env `OPERATOR_CONFIG`) for ticket commands: the database is the file's `db`. */
export function configOption(): Option {
  return new Option("--config <file>", "take the database path from this config file").env("OPERATOR_CONFIG");
}

/**
 * The database a ticket command works on: `--db`/`OPERATOR_DB` when given, else the `db` of the
 * `--config` file (relative to the file), else the default `./operator.db`.
 */
export async function ticketDbPath(command: Command, cwd: string): Promise<string> {
  const { db, config } = command.opts<{ db: string; config?: string }>();
  const source: string | undefined = command.getOptionValueSource("db");
  if (config === undefined || source === "cli" || source === "env") return resolveDb(cwd, db);
  const { configDir, loadConfigFile } = await import("../config.ts");
  const file = await loadConfigFile(resolve(cwd, config));
  return file.db === undefined ? resolveDb(cwd, db) : resolveDb(configDir(resolve(cwd, config)), file.db);
}

/** A commander parser for comma-separated (or repeated) values from a fixed set. */
export function listOf<T extends string>(allowed: readonly T[], flag: string) {
  return (value: string, previous: T[] | undefined): T[] => {
    const out = [...(previous ?? [])];
    for (const part of value.split(",").map((p) => p.trim())) {
      if (!(allowed as readonly string[]).includes(part)) {
        throw new ConfigError(`Invalid ${flag} "${part}" (expected one of: ${allowed.join(", ")})`);
      }
      if (!out.includes(part as T)) out.push(part as T);
    }
    return out;
  };
}

/** A commander parser for a positive whole decimal number (ticket ids, limits), at most `max`. */
export function positiveInt(what: string, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1 || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? "1 or more" : `from 1 to ${max}`;
      throw new ConfigError(`Invalid ${what} "${value}" (expected a whole number, ${range})`);
    }
    return n;
  };
}
