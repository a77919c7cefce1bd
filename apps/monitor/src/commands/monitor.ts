import { checkMonitorOptions } from "@operator/core";
import type { Command } from "commander";
import { addApiOptions } from "../api-options.ts";
import type { CommandContext } from "../context.ts";
import { logResolvedSettings, timedSubject } from "../debug-log.ts";
import { preferSmallHeap } from "../heap.ts";
import { createLogger } from "../logger.ts";
import { catchStartupSignals } from "../startup-signals.ts";
import { addRunOptions, optionSources } from "./run-options.ts";

/** Registers `operator monitor`: the daemon. */
export function registerMonitorCommand(program: Command, context: () => CommandContext): void {
  const command = program
    .command("monitor")
    .description(
      "run the monitor loop until SIGTERM/SIGINT on the cluster named by --pd (PD_ENDPOINT) or --config; --demo runs it on a simulated cluster",
    );
  addRunOptions(command)
    .option("--interval <duration>", 'time between cycle starts, e.g. 30s, 500ms (default "30s")')
    .option(
      "--unreachable-after <n>",
      "failed cycles in a row before a subject_unreachable ticket (default 3)",
    )
    .option(
      "--listen <host:port>",
      'serve /metrics, /healthz and the HTTP API (/api/v1) on this address, e.g. 127.0.0.1:9464 (":PORT" alone binds every interface)',
    )
    .option(
      "--demo",
      "monitor a simulated TiKV cluster with a scripted outage (needs @operator/tikv-sim installed)",
    )
    .option(
      "--notify-webhook <url>",
      "send every ticket event to this webhook (Alertmanager's webhook format; repeatable)",
      _collect,
    )
    .option(
      "--notify-alertmanager <url>",
      "send every ticket's alert to this Alertmanager, e.g. http://127.0.0.1:9093 (repeatable)",
      _collect,
    )
    .option(
      "--enable-reload",
      "also serve POST /-/reload on --listen (no authentication yet: bind --listen to 127.0.0.1)",
    );
  addApiOptions(command).addHelpText(
    "after",
    `
Heartbeat lines go to stderr after every cycle. SIGTERM or SIGINT finishes the cycle in flight,
closes the database and exits 0; a second signal exits at once. SIGHUP re-reads --config: subjects
and invariant overrides apply from the next cycle; a config that fails is refused and the daemon
carries on (db, listen, interval, deadline, unreachableAfter, flap, logFormat, notify need a restart).
Notification channels: the config's "notify" array or --notify-webhook/--notify-alertmanager;
see docs/notifications.md and "operator notifications status".
Prometheus credentials: PROMETHEUS_BEARER_TOKEN(_FILE), PROMETHEUS_BASIC_AUTH_USER and
PROMETHEUS_BASIC_AUTH_PASSWORD(_FILE); they are never printed.
HTTP API (docs/http-api.md): writes need Authorization: Bearer <token>, from OPERATOR_API_TOKEN or
--api-tokens-file; without one, writes are refused and reads still work.`,
  );
  command.action(async (flags, cmd: Command) => {
    await preferSmallHeap();
    const ctx = context();
    const { monitorOptionsFor, resolveRunSettings } = await import("../settings.ts");
    const settings = await resolveRunSettings(flags, optionSources(cmd), ctx.env, ctx.cwd);
    const { resolveApiSettings } = await import("../api-options.ts");
    const api = await resolveApiSettings(flags, ctx.env, ctx.cwd);
    const logger = createLogger(settings.logFormat, ctx.stderr, Date.now, { debug: ctx.verbose });
    logResolvedSettings(logger, settings);
    const startup = catchStartupSignals(logger);
    try {
      const { loadNotifiers } = await import("../notifiers.ts");
      const { runDaemon } = await import("../daemon.ts");
      if (settings.mode === "demo") {
        const { startDemo } = await import("../demo.ts");
        const demo = await startDemo(ctx, settings, optionSources(cmd), logger);
        try {
          checkMonitorOptions(monitorOptionsFor(demo.run.settings, demo.run.subjects));
          const notifiers = await loadNotifiers(demo.run.settings.notify);
          await runDaemon({
            ...demo.run,
            logger,
            startup,
            httpReload: flags.enableReload === true,
            notifiers,
            api,
          });
        } finally {
          await demo.close();
        }
        return;
      }
      const { loadSubjects } = await import("../subjects.ts");
      const load = async (specs: typeof settings.subjects) => {
        const loaded = await loadSubjects(specs);
        return ctx.verbose ? loaded.map((subject) => timedSubject(subject, logger)) : loaded;
      };
      const subjects = await load(settings.subjects);
      // Options core refuses (flap thresholds, deadline) fail here, before the database is created.
      checkMonitorOptions(monitorOptionsFor(settings, subjects));
      const reload =
        flags.config === undefined
          ? undefined
          : {
              file: flags.config as string,
              readSettings: () => resolveRunSettings(flags, optionSources(cmd), ctx.env, ctx.cwd),
              loadSubjects: (next: typeof settings) => load(next.subjects),
            };
      const httpReload = flags.enableReload === true;
      // runDaemon disposes the channels from here on.
      const notifiers = await loadNotifiers(settings.notify);
      await runDaemon({
        settings,
        subjects,
        logger,
        startup,
        ...(reload ? { reload } : {}),
        httpReload,
        notifiers,
        api,
      });
    } finally {
      startup.release();
    }
  });
}

/** Commander's accumulator for a repeatable option. */
function _collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
