import { type Command, Option } from "commander";
import { type ApiFlags, addApiOptions } from "../api-options.ts";
import type { CommandContext } from "../context.ts";
import { preferSmallHeap } from "../heap.ts";
import { LOG_FORMATS, type LogFormat } from "../logger.ts";
import { configOption, dbOption, ticketDbPath } from "./options.ts";

/** Where `operator serve` listens unless told. */
export const DEFAULT_SERVE_LISTEN = "127.0.0.1:9465";

interface ServeFlags extends ApiFlags {
  readonly listen: string;
  readonly logFormat?: LogFormat;
}

const FORCED_EXIT: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** Registers `operator serve`: the HTTP API (and the page) over a database, without running cycles. */
export function registerServeCommand(program: Command, context: () => CommandContext): void {
  const command = program
    .command("serve")
    .description(
      "serve the HTTP API over a ticket database without running cycles (beside a daemon, or on a second host sharing its store)",
    )
    .addOption(dbOption())
    .addOption(configOption())
    .addOption(
      new Option(
        "--listen <host:port>",
        'serve the API on this address (":PORT" alone binds every interface)',
      )
        .env("OPERATOR_LISTEN")
        .default(DEFAULT_SERVE_LISTEN),
    )
    .addOption(
      new Option("--log-format <format>", "log lines on stderr as text or json").choices(LOG_FORMATS),
    );
  addApiOptions(command)
    .addHelpText(
      "after",
      `
Routes and examples: docs/http-api.md. Writes need Authorization: Bearer <token> (OPERATOR_API_TOKEN
or --api-tokens-file); reads too with --api-auth all. /status shows what the database remembers:
the subjects it knows and the last cycle the daemon logged. SIGTERM or SIGINT closes the listener
and the database and exits 0.`,
    )
    .action(async (flags: ServeFlags, cmd: Command) => {
      await preferSmallHeap();
      const ctx = context();
      const { parseListen } = await import("../config.ts");
      const { resolveApiSettings, warnIfOpen } = await import("../api-options.ts");
      const { createLogger } = await import("../logger.ts");
      const { openStore } = await import("../open-store.ts");
      const { storedStatus } = await import("../api-status.ts");
      const { startHttpServer } = await import("@operator/http");
      const { pageOption } = await import("../page.ts");
      const listen = parseListen(flags.listen);
      const api = await resolveApiSettings(flags, ctx.env, ctx.cwd);
      const logger = createLogger(flags.logFormat ?? "text", ctx.stderr, Date.now, { debug: ctx.verbose });
      const db = await ticketDbPath(cmd, ctx.cwd);
      const store = await openStore(db, { mustExist: true });
      try {
        const page = await pageOption(logger);
        const server = await startHttpServer({
          listen,
          store,
          status: storedStatus(store),
          tokens: api.tokens,
          auth: api.auth,
          logger,
          ...(api.tls ? { tls: api.tls } : {}),
          ...(page ? { page } : {}),
        });
        warnIfOpen(logger, listen.host, api);
        const where = page ? `; the page on ${server.url}/` : "";
        logger.info(`Serving the HTTP API on ${server.url}/api/v1${where}; database ${db}`, {
          api: `${server.url}/api/v1`,
          ...(page ? { page: `${server.url}/` } : {}),
          db,
          auth: api.auth,
          tokens: api.tokens.size,
        });
        await untilSignal(logger);
        await server.close();
        logger.info("HTTP API stopped");
      } finally {
        store.close();
      }
    });
}

/** Resolves at the first SIGINT or SIGTERM; a second one exits at once. */
function untilSignal(logger: { info(message: string): void; warn(message: string): void }): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = (signal: NodeJS.Signals) => {
      if (stopping) {
        logger.warn(`Received ${signal} again: exiting at once`);
        process.exit(FORCED_EXIT[signal] ?? 1);
      }
      stopping = true;
      logger.info(`Received ${signal}: stopping`);
      resolve();
    };
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
  });
}
