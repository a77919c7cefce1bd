import { existsSync } from "node:fs";
import type { DaemonLock, OpenTicketStoreOptions, SqliteTicketStore } from "@operator/db";
import { EXIT, ExitError } from "./exit-codes.ts";

/**
 * Opens the SQLite ticket store at `path`. Commands that only read or change existing tickets pass
 * `mustExist`, so a mistyped `--db` says the file does not exist instead of creating an empty
 * database; `readonly` opens it without taking write locks. `@operator/db` is imported here, lazily,
 * so commands that never touch the database do not load SQLite.
 */
export async function openStore(
  path: string,
  options: {
    readonly?: boolean;
    mustExist?: boolean;
    onReplaced?: OpenTicketStoreOptions["onReplaced"];
  } = {},
): Promise<SqliteTicketStore> {
  if (options.mustExist && !existsSync(path)) {
    throw new ExitError(
      EXIT.database,
      `Database ${path} does not exist (pass --db or set OPERATOR_DB; "operator monitor" creates it)`,
    );
  }
  const { openTicketStore } = await import("@operator/db");
  return openTicketStore(path, {
    readonly: options.readonly ?? false,
    ...(options.onReplaced ? { onReplaced: options.onReplaced } : {}),
  });
}

/**
 * Takes the "one daemon per database" lock for `path` (see `acquireDaemonLock` in `@operator/db`), or
 * fails at once, naming the process that holds it, with exit code 4.
 */
export async function lockDatabase(path: string): Promise<DaemonLock> {
  const { acquireDaemonLock } = await import("@operator/db");
  return acquireDaemonLock(path);
}
