import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createSecureServer } from "node:https";
import type { AttemptReport, ChannelStatus, Leadership, Severity } from "@operator/core";
import { SEVERITIES } from "@operator/core";
import { capConnections, readPem, serverUrl } from "@operator/http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { ListenAddress } from "./config.ts";

/** What the metrics need from one finished cycle (a subset of core's `CycleReport`). */
export interface CycleFacts {
  readonly startedAt: number;
  readonly durationMs: number;
  readonly violations: number;
  readonly unknown: number;
  readonly failures: Readonly<Record<string, string>>;
  /** Secondary sources that could not be read, by subject then source, with why. */
  readonly sourceFailures?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Ticks this cycle missed by overrunning the interval. */
  readonly missedTicks: number;
}

/** The daemon's own metrics and the state behind `/healthz`. */
export interface MonitorMetrics {
  readonly registry: Registry;
  /** Records a finished cycle and, when known, the open tickets by severity afterwards. */
  recordCycle(cycle: CycleFacts, openTickets?: Readonly<Record<Severity, number>>): void;
  /** End time (epoch ms, wall clock, for display) of the last completed cycle, if any. */
  readonly lastCycleAt: number | undefined;
  /**
   * When the last cycle completed on the monotonic clock (ms), if any: what `/healthz` measures age
   * from, so a wall-clock step cannot make a stale daemon look healthy.
   */
  readonly lastCycleMonotonic: number | undefined;
  /** The monotonic clock (ms) used for {@link MonitorMetrics.lastCycleMonotonic}. */
  readonly monotonic: () => number;
  /** Marks the daemon as failed for good (e.g. its database file is gone): `/healthz` answers 503. */
  fail(reason: string): void;
  /** Why the daemon failed, once {@link MonitorMetrics.fail} was called. */
  readonly failure: string | undefined;
  /**
   * Records a configuration load (the start-up one or a reload, epoch ms): sets
   * `operator_config_last_reload_successful` to 1 or 0 and, on success,
   * `operator_config_last_reload_success_timestamp_seconds`.
   */
  recordReload(success: boolean, at: number): void;
  /** Counts one notification attempt and, when the receiver answered, observes its latency. */
  recordAttempt(attempt: AttemptReport): void;
  /**
   * Where `operator_notifications_pending` comes from (the store's `notificationStatus()`); read on
   * scrape (the page is rendered at most once a second) and by {@link MonitorMetrics.refreshNotifications}.
   */
  watchNotifications(channels: readonly string[], read: () => Promise<readonly ChannelStatus[]>): void;
  /** Reads the notification backlog now (after each cycle); a failed read leaves the last values. */
  refreshNotifications(): Promise<void>;
  /**
   * Where this replica's roles come from when replicas share the store: sets
   * `operator_subject_leader{subject}` (1 leader, 0 standby) now and on every change, and lets
   * `/healthz` judge a replica that leads nothing by its last contact with the store.
   */
  watchLeadership(leadership: LeadershipView): void;
  /** The watched leadership, if any. */
  readonly leadership: LeadershipView | undefined;
}

/** What the metrics read of the daemon's leadership. */
export type LeadershipView = Pick<Leadership, "roles" | "onChange" | "lastContact">;

/** Options of {@link createMonitorMetrics}. */
export interface MonitorMetricsOptions {
  /** A monotonic clock in ms. @default performance.now */
  readonly monotonic?: () => number;
}

/** Creates the registry with `operator_*` metrics plus the standard `process_*`/`nodejs_*` ones. */
export function createMonitorMetrics(options: MonitorMetricsOptions = {}): MonitorMetrics {
  const monotonic = options.monotonic ?? (() => performance.now());
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const cycles = new Counter({ name: "operator_cycles_total", help: "Completed monitor cycles.", registers });
  const duration = new Histogram({
    name: "operator_cycle_duration_seconds",
    help: "Duration of monitor cycles.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers,
  });
  const failures = new Counter({
    name: "operator_subject_failures_total",
    help: "Cycles in which a subject could not be read.",
    labelNames: ["subject"],
    registers,
  });
  const sourceFailures = new Counter({
    name: "operator_source_failures_total",
    help: "Cycles in which a secondary source of a subject (Prometheus, PD's region checks) could not be read.",
    labelNames: ["subject", "source"],
    registers,
  });
  const missed = new Counter({
    name: "operator_missed_ticks_total",
    help: "Cycle starts skipped because the previous cycle overran the interval.",
    registers,
  });
  const open = new Gauge({
    name: "operator_open_tickets",
    help: "Unresolved tickets by severity, after the last cycle.",
    labelNames: ["severity"],
    registers,
  });
  const violations = new Gauge({
    name: "operator_last_cycle_violations",
    help: "Violated results in the last cycle.",
    registers,
  });
  const unknown = new Gauge({
    name: "operator_last_cycle_unknown_results",
    help: "Results that could not be evaluated in the last cycle.",
    registers,
  });
  const last = new Gauge({
    name: "operator_last_cycle_timestamp_seconds",
    help: "Unix time at which the last cycle completed.",
    registers,
  });
  const reloadOk = new Gauge({
    name: "operator_config_last_reload_successful",
    help: "Whether the last configuration load (start-up or reload) was applied (1) or refused (0).",
    registers,
  });
  const reloadAt = new Gauge({
    name: "operator_config_last_reload_success_timestamp_seconds",
    help: "Unix time of the last configuration load that was applied (start-up or reload).",
    registers,
  });
  let readStatus: (() => Promise<readonly ChannelStatus[]>) | undefined;
  const refreshNotifications = async (): Promise<void> => {
    if (readStatus === undefined) return;
    let statuses: readonly ChannelStatus[];
    try {
      statuses = await readStatus();
    } catch {
      return;
    }
    for (const status of statuses)
      pending.set({ channel: status.channel }, status.pending + status.unexamined);
  };
  const pending = new Gauge({
    name: "operator_notifications_pending",
    help: "Notifications not yet delivered, failed or withheld (including events not yet examined), by channel.",
    labelNames: ["channel"],
    registers,
    collect: refreshNotifications,
  });
  const sent = new Counter({
    name: "operator_notifications_sent_total",
    help: "Notifications delivered, by channel.",
    labelNames: ["channel"],
    registers,
  });
  const failed = new Counter({
    name: "operator_notifications_failed_total",
    help: "Notifications refused for good (not retried), by channel.",
    labelNames: ["channel"],
    registers,
  });
  const retried = new Counter({
    name: "operator_notifications_retried_total",
    help: "Delivery attempts that failed for now and will be retried, by channel.",
    labelNames: ["channel"],
    registers,
  });
  const delivery = new Histogram({
    name: "operator_notification_delivery_seconds",
    help: "Time a receiver took to answer one delivery attempt, by channel.",
    labelNames: ["channel"],
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const leader = new Gauge({
    name: "operator_subject_leader",
    help: "Whether this replica leads the subject (1) or stands by (0), when replicas share the store.",
    labelNames: ["subject"],
    registers,
  });
  let lastCycleAt: number | undefined;
  let lastCycleMonotonic: number | undefined;
  let failure: string | undefined;
  let leadership: LeadershipView | undefined;
  const showRoles = () => {
    if (leadership === undefined) return;
    leader.reset();
    for (const [subject, leads] of leadership.roles()) leader.set({ subject }, leads ? 1 : 0);
  };
  return {
    registry,
    monotonic,
    get leadership() {
      return leadership;
    },
    watchLeadership(source) {
      leadership = source;
      showRoles();
      source.onChange(showRoles);
    },
    get lastCycleAt() {
      return lastCycleAt;
    },
    get lastCycleMonotonic() {
      return lastCycleMonotonic;
    },
    get failure() {
      return failure;
    },
    fail(reason) {
      failure ??= reason;
    },
    recordReload(success, at) {
      reloadOk.set(success ? 1 : 0);
      if (success) reloadAt.set(at / 1000);
    },
    recordAttempt({ channel, outcome, latencyMs }) {
      if (outcome === "withheld") return;
      if (outcome === "delivered") sent.inc({ channel });
      else if (outcome === "failed") failed.inc({ channel });
      else retried.inc({ channel });
      delivery.observe({ channel }, latencyMs / 1000);
    },
    watchNotifications(channels, read) {
      readStatus = read;
      for (const channel of channels) {
        pending.set({ channel }, 0);
        sent.inc({ channel }, 0);
        failed.inc({ channel }, 0);
        retried.inc({ channel }, 0);
      }
    },
    refreshNotifications,
    recordCycle(cycle, openTickets) {
      lastCycleMonotonic = monotonic();
      lastCycleAt = cycle.startedAt + cycle.durationMs;
      cycles.inc();
      duration.observe(cycle.durationMs / 1000);
      for (const subject of Object.keys(cycle.failures)) failures.inc({ subject });
      for (const [subject, sources] of Object.entries(cycle.sourceFailures ?? {})) {
        for (const source of Object.keys(sources)) sourceFailures.inc({ subject, source });
      }
      if (cycle.missedTicks > 0) missed.inc(cycle.missedTicks);
      violations.set(cycle.violations);
      unknown.set(cycle.unknown);
      last.set(lastCycleAt / 1000);
      if (openTickets) for (const severity of SEVERITIES) open.set({ severity }, openTickets[severity] ?? 0);
    },
  };
}

/** What `POST /-/reload` answers: whether the configuration was applied, and the log line saying so. */
export interface ReloadAnswer {
  readonly ok: boolean;
  readonly message: string;
}

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port`, with the port actually bound (useful with port 0). */
  readonly url: string;
  close(): Promise<void>;
}

/** Limits of the metrics listener; each has a default suited to a scrape target. */
export interface ListenerLimits {
  /**
   * Open connections at most. Past it, the oldest connection with no request in flight is closed
   * (or the new one, if every connection is busy), so idle sockets cannot lock real clients out.
   * @default 256
   */
  readonly maxConnections?: number;
  /** A client must send its request headers within this. @default 5000 */
  readonly headersTimeoutMs?: number;
  /** A whole request must arrive within this. @default 10000 */
  readonly requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. @default 5000 */
  readonly keepAliveTimeoutMs?: number;
  /** A connection with no traffic at all (never sending a request) is closed after this. @default 10000 */
  readonly idleTimeoutMs?: number;
}

/** Request headers larger than this are refused (431). */
const MAX_HEADER_BYTES = 8192;
/** The same limit once the API is served (its bearer tokens and event ids ride in headers). */
const MAX_API_HEADER_BYTES = 16 * 1024;
/** A rendered `/metrics` page is reused for this long (until the next cycle), so a burst of scrapes renders it once. */
const METRICS_CACHE_MS = 1000;

/**
 * Serves `GET /metrics` (Prometheus text format) and `GET /healthz`: 200 while a cycle has completed
 * within `3 × intervalMs` (counting from start-up before the first one), 503 otherwise or once the
 * daemon has failed, with a JSON body saying how old the last cycle is. A replica that shares its
 * store and leads no subject is judged by its last contact with the store instead, and the body
 * gives its `role` and its role per subject. Ages are measured on the metrics' monotonic clock. The listener caps connections, header size and request time, and takes
 * no request bodies (the HTTP API's actions, with `api`, take small ones), so idle or slow clients
 * cannot starve it or the monitor loop. With `api`, every other path is the API's.
 */
export async function startMetricsServer(options: {
  listen: ListenAddress;
  metrics: MonitorMetrics;
  intervalMs: number;
  limits?: ListenerLimits;
  /**
   * Serves `POST /-/reload` with this (`--enable-reload`); without it the path answers 403. There is
   * no authentication: requests carrying an `Origin` header (a browser page) are refused.
   */
  reload?: () => Promise<ReloadAnswer>;
  /** Every other path goes to this handler (the HTTP API and the page); without it they answer 404. */
  api?: (req: IncomingMessage, res: ServerResponse) => void;
  /** Serve HTTPS with this PEM certificate and key (file paths). */
  tls?: { readonly certFile: string; readonly keyFile: string };
}): Promise<MetricsServer> {
  const { metrics } = options;
  const limits = options.limits ?? {};
  const startedAt = metrics.monotonic();
  const maxAgeMs = 3 * options.intervalMs;
  let cached: { text: string; at: number; cycle: number | undefined } | undefined;
  const renderMetrics = async (): Promise<string> => {
    const at = metrics.monotonic();
    const cycle = metrics.lastCycleMonotonic;
    if (cached && cached.cycle === cycle && at >= cached.at && at - cached.at < METRICS_CACHE_MS) {
      return cached.text;
    }
    const text = await metrics.registry.metrics();
    cached = { text, at, cycle };
    return text;
  };
  const headersTimeout = limits.headersTimeoutMs ?? 5000;
  const { api, tls } = options;
  const serverOptions = {
    maxHeaderSize: api ? MAX_API_HEADER_BYTES : MAX_HEADER_BYTES,
    headersTimeout,
    requestTimeout: Math.max(limits.requestTimeoutMs ?? 10_000, headersTimeout),
    keepAliveTimeout: limits.keepAliveTimeoutMs ?? 5000,
    connectionsCheckingInterval: Math.min(1000, headersTimeout),
  };
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === RELOAD_PATH) {
      serveReload(req, res, options.reload);
      return;
    }
    if (api && path !== "/metrics" && path !== "/healthz") {
      api(req, res);
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", connection: "close" }).end();
      return;
    }
    if (hasBody(req)) {
      res.writeHead(413, { connection: "close" }).end();
      return;
    }
    if (path === "/metrics") {
      renderMetrics().then(
        (text) => res.writeHead(200, { "content-type": metrics.registry.contentType }).end(text),
        (error: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(`${error.message}\n`),
      );
      return;
    }
    if (path === "/healthz") {
      const roles = metrics.leadership?.roles();
      const standby = roles !== undefined && ![...roles.values()].includes(true);
      const last = standby ? metrics.leadership?.lastContact : metrics.lastCycleMonotonic;
      const age = Math.max(0, metrics.monotonic() - (last ?? startedAt));
      const failure = metrics.failure;
      const healthy = failure === undefined && age <= maxAgeMs;
      const wall = metrics.lastCycleAt;
      const body = {
        status: failure !== undefined ? "failed" : healthy ? "ok" : "stale",
        ...(failure !== undefined ? { reason: failure } : {}),
        lastCycleAt: wall === undefined ? null : new Date(wall).toISOString(),
        ageSeconds: Math.round(age / 100) / 10,
        maxAgeSeconds: maxAgeMs / 1000,
        ...(roles === undefined
          ? {}
          : {
              role: standby ? "standby" : "leader",
              subjects: Object.fromEntries([...roles].map(([s, leads]) => [s, leads ? "leader" : "standby"])),
            }),
      };
      res
        .writeHead(healthy ? 200 : 503, { "content-type": "application/json" })
        .end(`${JSON.stringify(body)}\n`);
      return;
    }
    res.writeHead(404, { "content-type": "text/plain" }).end("not found: try /metrics or /healthz\n");
  };
  const server: Server = tls
    ? createSecureServer(
        {
          ...serverOptions,
          cert: readPem(tls.certFile, "--tls-cert"),
          key: readPem(tls.keyFile, "--tls-key"),
        },
        handler,
      )
    : createServer(serverOptions, handler);
  capConnections(server, limits.maxConnections ?? (api ? 1024 : 256));
  server.timeout = limits.idleTimeoutMs ?? 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.listen.port, options.listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    url: serverUrl(server, tls !== undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

// --- Internal helpers ---

const RELOAD_PATH = "/-/reload";

/** `POST /-/reload`: 200 when the configuration was applied, 400 when it was refused (JSON body). */
function serveReload(
  req: IncomingMessage,
  res: ServerResponse,
  reload: (() => Promise<ReloadAnswer>) | undefined,
) {
  const json = (status: number, body: object, headers: Record<string, string> = {}) =>
    res
      .writeHead(status, { "content-type": "application/json", ...headers })
      .end(`${JSON.stringify(body)}\n`);
  if (reload === undefined) {
    json(403, {
      status: "disabled",
      message: "Reload over HTTP is off: start the daemon with --enable-reload",
    });
    return;
  }
  if (req.method !== "POST") {
    json(405, { status: "error", message: "Use POST" }, { allow: "POST", connection: "close" });
    return;
  }
  if (hasBody(req)) {
    res.writeHead(413, { connection: "close" }).end();
    return;
  }
  if (req.headers.origin !== undefined) {
    json(403, { status: "error", message: "Cross-origin reload requests are refused" });
    return;
  }
  // A reload waits for the cycle in flight (bounded by its deadline): longer than the idle timeout.
  req.socket.setTimeout(0);
  reload().then(
    (answer) =>
      json(answer.ok ? 200 : 400, { status: answer.ok ? "reloaded" : "refused", message: answer.message }),
    (error: Error) => json(500, { status: "error", message: error.message }),
  );
}

/** True when a request carries a body: none of the listener's endpoints takes one. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers["content-length"];
  return (length !== undefined && length !== "0") || req.headers["transfer-encoding"] !== undefined;
}
