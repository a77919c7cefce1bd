import type { Dispatcher, Monitor, Notifier, Subject } from "@operator/core";
import {
  ConfigError,
  checkMonitorOptions,
  configuredInvariants,
  createDispatcher,
  createMonitor,
  formatDuration,
  isOperatorError,
  stopOnSignals,
  withholdSilenced,
} from "@operator/core";
import type { ApiListener } from "@operator/http";
import { type ApiSettings, warnIfOpen } from "./api-options.ts";
import { loopStatus } from "./api-status.ts";
import { describeDb, isPostgresDb } from "./db-target.ts";
import { daemonLeadership, leaseTtlMs } from "./leadership.ts";
import type { CliLogger } from "./logger.ts";
import { createMonitorMetrics, type MetricsServer, startMetricsServer } from "./metrics-server.ts";
import { notificationLogger } from "./notification-log.ts";
import { describeNotifiers, disposeNotifiers } from "./notifiers.ts";
import { lockDatabase, openStore } from "./open-store.ts";
import { logOrphans } from "./orphan-log.ts";
import { pageOption } from "./page.ts";
import { createReloader, type ReloadSource } from "./reload.ts";
import type { RunSettings } from "./settings.ts";
import type { StartupSignals } from "./startup-signals.ts";
import { describeSubject, disposeSubjects } from "./subjects.ts";
import { logTicketEvents } from "./ticket-log.ts";

/** What {@link runDaemon} runs. */
export interface DaemonOptions {
  readonly settings: RunSettings;
  readonly subjects: readonly Subject[];
  readonly logger: CliLogger;
  /** Signals caught during start-up; released once the loop's own handlers are installed. */
  readonly startup?: StartupSignals;
  /** Where SIGHUP re-reads the configuration; without it (no `--config`) SIGHUP only logs a line. */
  readonly reload?: ReloadSource;
  /** Serve `POST /-/reload` on the `--listen` address (`--enable-reload`; needs `--listen`). */
  readonly httpReload?: boolean;
  /** Notification channels (`loadNotifiers`); the daemon delivers to them and disposes them. */
  readonly notifiers?: readonly Notifier[];
  /** The HTTP API's tokens, auth mode and TLS files; the API is served on `--listen` beside /metrics. */
  readonly api?: ApiSettings;
  /** A page to serve at `/` on `--listen` (the directory of its built assets); default: {@link pageOption}. */
  readonly page?: { readonly dir: string };
}

/**
 * Runs the monitor loop until SIGTERM or SIGINT: on SQLite takes the database's daemon lock (a second
 * daemon on one file is refused at once, exit 4); on PostgreSQL, where replicas share the database,
 * runs per-subject leadership instead (each replica cycles and notifies for the subjects whose lease
 * it holds, stands by for the others, and releases its leases on the way out). Opens (or creates) the database, serves metrics when
 * asked, and on the first signal lets the cycle in flight finish; the loop then disposes the subjects
 * and logs `Monitor loop stopped`, and the database and the metrics server are closed. A second
 * signal exits at once (130 for SIGINT, 143 for SIGTERM). When a cycle finds the database file
 * deleted or replaced, `/healthz` turns 503, the loop stops and the error is thrown (exit 4).
 * At start, tickets orphaned by the configuration (subject removed, invariant removed or disabled)
 * are resolved. SIGHUP (and `POST /-/reload` with `httpReload`) re-reads the configuration and
 * swaps subjects between cycles, see {@link createReloader}.
 */
export async function runDaemon({
  settings,
  subjects,
  logger,
  startup,
  reload,
  httpReload,
  notifiers = [],
  api,
  page,
}: DaemonOptions): Promise<void> {
  if (settings.dbPath === null) {
    await disposeNotifiers(notifiers);
    throw new ConfigError("The monitor needs a database (--db)");
  }
  if (httpReload && !settings.listen) {
    throw new ConfigError("--enable-reload needs --listen (the address that serves POST /-/reload)");
  }
  let monitor: Monitor | undefined;
  let server: MetricsServer | undefined;
  let apiListener: ApiListener | undefined;
  /** The page served at `/` beside the API, once the listener is up. */
  let served: { readonly dir: string } | undefined;
  let removeSignalHandlers: (() => void) | undefined;
  let removeReloadHandler: (() => Promise<void>) | undefined;
  let dispatcher: Dispatcher | undefined;
  const options = {
    subjects,
    intervalMs: settings.intervalMs,
    ...(settings.deadlineMs !== undefined ? { deadlineMs: settings.deadlineMs } : {}),
    ...(settings.unreachableAfter !== undefined ? { unreachableAfter: settings.unreachableAfter } : {}),
    ...(settings.flap !== undefined ? { flap: settings.flap } : {}),
  };
  const metrics = createMonitorMetrics();
  let lost: Error | undefined;
  const onReplaced = (error: Error) => {
    lost ??= error;
    metrics.fail(error.message);
    logger.error(`${error.message}; stopping`, { db: describeDb(settings.dbPath ?? "") });
    void monitor?.stop();
  };
  const dbPath = settings.dbPath;
  const shared = isPostgresDb(dbPath);
  const lock = shared
    ? undefined
    : await lockDatabase(dbPath).catch(async (error: unknown) => {
        await disposeNotifiers(notifiers);
        throw error;
      });
  const store = await openStore(dbPath, {
    onReplaced,
    ...(shared ? { idleInTransactionTimeoutMs: leaseTtlMs(settings.intervalMs) } : {}),
  }).catch(async (error: unknown) => {
    lock?.release();
    await disposeNotifiers(notifiers);
    throw error;
  });
  const names = (some: readonly Subject[]) => some.map((subject) => subject.name);
  const leadership = daemonLeadership(store, names(subjects), settings.intervalMs, logger);
  if (leadership) metrics.watchLeadership(leadership);
  try {
    if (notifiers.length > 0) {
      const log = notificationLogger(logger);
      dispatcher = createDispatcher({
        store,
        notifiers,
        logger,
        ...(leadership ? { leadership } : {}),
        withhold: withholdSilenced,
        onAttempt: (attempt) => {
          metrics.recordAttempt(attempt);
          log(attempt);
        },
      });
      await dispatcher.start();
      metrics.watchNotifications(
        notifiers.map((n) => n.name),
        () => store.notificationStatus(),
      );
    }
    monitor = createMonitor({
      ...options,
      store,
      logger,
      ...(leadership ? { leadership } : {}),
      onCycle: (report) => {
        logTicketEvents(logger, report.events);
        const cannotCount = (error: unknown) =>
          logger.warn(`Cannot count open tickets for the metrics: ${(error as Error).message}`);
        let open: ReturnType<typeof store.openTicketCounts> | undefined;
        try {
          open = store.openTicketCounts();
        } catch (error) {
          cannotCount(error);
        }
        if (open instanceof Promise) {
          void open.then(
            (counts) => metrics.recordCycle(report, counts),
            (error: unknown) => {
              cannotCount(error);
              metrics.recordCycle(report, undefined);
            },
          );
        } else metrics.recordCycle(report, open);
        dispatcher?.wake();
        if (dispatcher) void metrics.refreshNotifications();
      },
    });
    try {
      logOrphans(logger, await store.resolveOrphans(configuredInvariants(subjects)));
    } catch (error) {
      logger.error(`Cannot resolve orphaned tickets: ${(error as Error).message}`);
    }
    metrics.recordReload(true, Date.now());
    const looping = monitor;
    const reloader = createReloader({
      monitor: leadership
        ? {
            async replaceSubjects(next) {
              checkMonitorOptions({ ...options, subjects: next });
              await leadership.setSubjects(names(next));
              return looping.replaceSubjects(next);
            },
          }
        : monitor,
      settings,
      source: reload,
      logger,
      metrics,
    });
    if (settings.listen) {
      const { createApiListener } = await import("@operator/http");
      const apiSettings = api ?? (await defaultApiSettings());
      served = page ?? (await pageOption(logger));
      apiListener = createApiListener({
        store,
        status: loopStatus(() => monitor, store, settings.intervalMs),
        tokens: apiSettings.tokens,
        auth: apiSettings.auth,
        logger,
        ...(served ? { page: served } : {}),
      });
      try {
        server = await startMetricsServer({
          listen: settings.listen,
          metrics,
          intervalMs: settings.intervalMs,
          ...(httpReload ? { reload: () => reloader.reload("POST /-/reload") } : {}),
          api: apiListener.handle,
          ...(apiSettings.tls ? { tls: apiSettings.tls } : {}),
        });
      } catch (error) {
        if (isOperatorError(error)) throw error;
        const { host, port } = settings.listen;
        throw new ConfigError(`Cannot listen on ${host}:${port}: ${(error as Error).message}`);
      }
      warnIfOpen(logger, settings.listen.host, apiSettings);
    }
    removeSignalHandlers = stopOnSignals(monitor, { logger });
    const onHangup = () => void reloader.reload("SIGHUP");
    process.on("SIGHUP", onHangup);
    removeReloadHandler = () => {
      process.off("SIGHUP", onHangup);
      return reloader.settled();
    };
    startup?.release();
    const pageAt = server && served ? `; page on ${server.url}/` : "";
    const where = server ? `; metrics on ${server.url}/metrics; API on ${server.url}/api/v1${pageAt}` : "";
    const channels = notifiers.length > 0 ? `; notifying ${describeNotifiers(notifiers)}` : "";
    logger.info(
      `Monitor loop started: ${subjects.map(describeSubject).join(", ")} every ${formatDuration(settings.intervalMs)}; database ${describeDb(dbPath)}${where}${channels}`,
      {
        subjects: subjects.map((s) => s.name),
        intervalMs: settings.intervalMs,
        db: describeDb(dbPath),
        metrics: server?.url,
        ...(server ? { api: `${server.url}/api/v1` } : {}),
        ...(server && served ? { page: `${server.url}/` } : {}),
        ...(notifiers.length > 0 ? { notify: notifiers.map((n) => n.name) } : {}),
      },
    );
    await leadership?.start();
    await monitor.run(startup ? { signal: startup.signal } : {});
    if (lost) throw lost;
  } finally {
    removeSignalHandlers?.();
    await server?.close();
    apiListener?.close();
    await removeReloadHandler?.();
    if (monitor === undefined) await disposeSubjects(subjects);
    else await monitor.stop();
    await dispatcher?.stop();
    await leadership?.stop();
    await disposeNotifiers(notifiers);
    await store.close();
    lock?.release();
  }
}

// --- Internal helpers ---

/** The API's settings when the caller gave none: no token (writes refused), auth for writes, plain HTTP. */
async function defaultApiSettings(): Promise<ApiSettings> {
  const { apiTokens } = await import("@operator/http");
  return { tokens: apiTokens([], "no tokens"), auth: "writes", tls: undefined };
}
