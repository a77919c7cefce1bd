import type { ChannelStatus } from "@operator/core";
import { formatDuration } from "@operator/core";
import type { Command } from "commander";
import type { CommandContext } from "../context.ts";
import { openStore } from "../open-store.ts";
import { isoTime, palette, renderTable, shortTime, shouldColor, toJsonText } from "../output.ts";
import { redact } from "../redact.ts";
import { configOption, dbOption, ticketDbPath } from "./options.ts";

/** The stable JSON form of one channel's delivery state (`notifications status --json`, docs/cli.md). */
export interface ChannelStatusJson {
  readonly channel: string;
  /** Accepted events not yet delivered, failed or withheld, plus events not yet examined. */
  readonly pending: number;
  readonly oldestPendingAt: string | null;
  /** Seconds since the oldest pending event, or null. */
  readonly oldestPendingAgeSeconds: number | null;
  readonly lastSuccessAt: string | null;
  readonly lastErrorAt: string | null;
  readonly lastError: string | null;
  readonly failed: number;
}

/** Registers `operator notifications status`. */
export function registerNotificationsCommand(program: Command, context: () => CommandContext): void {
  const notifications = program.command("notifications").description("inspect notification delivery");
  notifications
    .command("status")
    .description("per channel: pending, oldest pending age, last success, last error, failed count")
    .addOption(dbOption())
    .addOption(configOption())
    .option("--json", "print a JSON array, one object per channel (schema in docs/cli.md)")
    .action(async (flags: { json?: boolean }, command: Command) => {
      const ctx = context();
      const db = await ticketDbPath(command, ctx.cwd);
      const store = await openStore(db, { readonly: true, mustExist: true });
      let statuses: readonly ChannelStatus[];
      try {
        statuses = await store.notificationStatus();
      } finally {
        await store.close();
      }
      const now = Date.now();
      const rows = statuses.map((status) => channelStatusToJson(status, now));
      if (flags.json) {
        ctx.stdout.write(toJsonText(rows));
        return;
      }
      if (rows.length === 0) {
        ctx.stdout.write("No notification channels have run on this database.\n");
        return;
      }
      const color = shouldColor(ctx.stdout, ctx.env, ctx.noColor);
      ctx.stdout.write(
        renderTable(
          rows,
          [
            { header: "CHANNEL", cell: (r) => r.channel },
            { header: "PENDING", cell: (r) => String(r.pending), align: "right" },
            {
              header: "OLDEST",
              cell: (r) =>
                r.oldestPendingAgeSeconds === null ? "-" : formatDuration(r.oldestPendingAgeSeconds * 1000),
            },
            { header: "LAST SUCCESS", cell: (r) => shortTime(_ms(r.lastSuccessAt)) },
            { header: "FAILED", cell: (r) => String(r.failed), align: "right" },
            {
              header: "LAST ERROR",
              cell: (r) => (r.lastError === null ? "-" : `${shortTime(_ms(r.lastErrorAt))} ${r.lastError}`),
            },
          ],
          { palette: palette(color), width: ctx.stdout.columns },
        ),
      );
    });
}

/** A channel's state in its stable JSON form; the last error is redacted (tables also escape it). */
export function channelStatusToJson(status: ChannelStatus, now: number): ChannelStatusJson {
  const oldest = status.oldestPendingAt;
  return {
    channel: status.channel,
    pending: status.pending + status.unexamined,
    oldestPendingAt: isoTime(oldest),
    oldestPendingAgeSeconds: oldest === null ? null : Math.max(0, Math.round((now - oldest) / 1000)),
    lastSuccessAt: isoTime(status.lastSuccessAt),
    lastErrorAt: isoTime(status.lastErrorAt),
    lastError: status.lastError === null ? null : redact(status.lastError),
    failed: status.failed,
  };
}

function _ms(iso: string | null): number | null {
  return iso === null ? null : Date.parse(iso);
}
