import postgres from "postgres";
import { connectionSettings, type PostgresConnectionOptions } from "./connection.ts";
import { PostgresStoreError, toStoreError } from "./errors.ts";
import { DAEMON_LOCK, LOCK_CLASS } from "./locks.ts";

/** Options of {@link acquirePostgresDaemonLock}. */
export interface PostgresDaemonLockOptions extends PostgresConnectionOptions {
  /** Who takes the lock, shown to a second daemon that is refused (the connection's `application_name`). */
  readonly holder: string;
  /** Called once when the lock's connection breaks: the lock is gone, another daemon may take it. */
  readonly onLost?: (error: Error) => void;
}

/** A held PostgreSQL daemon lock. */
export interface PostgresDaemonLock {
  /** Releases the lock and closes its connection (idempotent). */
  release(): Promise<void>;
}

/** Another daemon holds the lock on this database. */
export class PostgresDaemonRunningError extends PostgresStoreError {
  override name = "DaemonRunningError";
}

/**
 * Takes the "one daemon per database" lock: a session advisory lock (`pg_try_advisory_lock`) on a
 * connection of its own, at once or not at all. When another session holds it, throws
 * {@link PostgresDaemonRunningError} naming the holder (its `application_name` and client address).
 * PostgreSQL drops the lock when the holder's connection ends, however it ends (a killed process, a
 * lost network), so a restart is never refused for long; the holder learns of it through `onLost`.
 */
export async function acquirePostgresDaemonLock(
  url: string,
  options: PostgresDaemonLockOptions,
): Promise<PostgresDaemonLock> {
  const settings = connectionSettings(url, options);
  let released = false;
  const sql = postgres(settings.url, {
    ...(settings.password === undefined ? {} : { password: settings.password }),
    ssl: settings.ssl,
    max: 1,
    idle_timeout: 0,
    max_lifetime: 0,
    connect_timeout: 10,
    onnotice: () => undefined,
    connection: { application_name: options.holder.slice(0, 63) },
    onclose: () => {
      if (released) return;
      released = true;
      options.onLost?.(
        new PostgresStoreError(
          settings.target,
          `Lost the daemon lock on ${settings.target}: its connection closed`,
        ),
      );
    },
  });
  try {
    const [row] = await sql<
      { locked: boolean }[]
    >`SELECT pg_try_advisory_lock(${LOCK_CLASS}, ${DAEMON_LOCK}) AS locked`;
    if (row?.locked !== true) {
      const [who] = await sql<{ application_name: string | null; client_addr: string | null }[]>`
        SELECT a.application_name, a.client_addr::text AS client_addr
        FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.classid = ${LOCK_CLASS} AND l.objid = ${DAEMON_LOCK} AND l.granted
        LIMIT 1`;
      const name = who?.application_name || "another session";
      const from = who?.client_addr ? ` from ${who.client_addr}` : "";
      throw new PostgresDaemonRunningError(
        settings.target,
        `Another operator monitor is running on ${settings.target} (${name}${from}); stop it first`,
      );
    }
  } catch (error) {
    released = true;
    await sql.end({ timeout: 1 }).catch(() => undefined);
    throw toStoreError(settings.target, error);
  }
  return {
    async release() {
      if (released) return;
      released = true;
      await sql.end({ timeout: 2 }).catch(() => undefined);
    },
  };
}
