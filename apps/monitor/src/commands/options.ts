import { ConfigError } from "@operator/core";
import { Option } from "commander";
import { DEFAULT_DB } from "../defaults.ts";

/** `--db PATH` (env `OPERATOR_DB`), shared by every command that touches the database. */
export function dbOption(): Option {
  return new Option("--db <path>", "SQLite database file").env("OPERATOR_DB").default(DEFAULT_DB);
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

/** A commander parser for a positive whole number (ticket ids, limits). */
export function positiveInt(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
      throw new ConfigError(`Invalid ${what} "${value}" (expected a whole number, 1 or more)`);
    }
    return n;
  };
}
