import { isAbsolute, resolve } from "node:path";
import { registerSecret, registerUrlSecrets } from "./redact.ts";

/** Whether `db` names a PostgreSQL database (`postgres://` or `postgresql://`) rather than a SQLite file. */
export function isPostgresDb(db: string): boolean {
  return /^postgres(?:ql)?:\/\//i.test(db);
}

/**
 * The database `db` names, seen from `base`: a PostgreSQL URL as it is (its password registered for
 * redaction), a SQLite path made absolute against `base`.
 */
export function resolveDb(base: string, db: string): string {
  if (!isPostgresDb(db)) return isAbsolute(db) ? db : resolve(base, db);
  registerUrlSecrets(db);
  try {
    const url = new URL(db);
    if (url.password !== "") registerSecret(decodeURIComponent(url.password));
    const query = url.searchParams.get("password");
    if (query) registerSecret(query);
  } catch {
    // An unparseable URL is refused when the store opens; nothing to register.
  }
  return db;
}

/** The database as it may be shown in logs, errors and /healthz: a path, or a URL without password or query. */
export function describeDb(db: string): string {
  if (!isPostgresDb(db)) return db;
  try {
    const url = new URL(db);
    const user = url.username === "" ? "" : `${url.username}@`;
    return `${url.protocol}//${user}${url.host}${url.pathname}`;
  } catch {
    return "postgres://[unparseable]";
  }
}
