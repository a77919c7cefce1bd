import {
  formatSilenceMatcher,
  InvalidSilenceError,
  parseDuration,
  parseSilenceMatcher,
  type Silence,
  type SilenceMatcher,
  silenceEnd,
} from "@operator/core";
import type { Command } from "commander";
import type { CommandContext } from "../context.ts";
import { escapeText } from "../escape.ts";
import { openStore } from "../open-store.ts";
import { isoTime, palette, renderTable, shortTime, shouldColor, toJsonText } from "../output.ts";
import { configOption, dbOption, positiveInt, ticketDbPath } from "./options.ts";

/** The stable JSON form of one silence (`silences list --json`, `silences add --json`; docs/cli.md). */
export interface SilenceJson {
  readonly id: number;
  /** `NAME=VALUE` or `NAME=~REGEX`, as given. */
  readonly matchers: readonly string[];
  readonly startsAt: string;
  readonly endsAt: string;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdAt: string;
  readonly expiredAt: string | null;
  readonly expiredBy: string | null;
  /** `pending` (not started), `active`, or `expired` (ended by time or by hand). */
  readonly state: "pending" | "active" | "expired";
}

interface AddFlags {
  match: SilenceMatcher[];
  for?: string;
  until?: string;
  comment?: string;
  by?: string;
  json?: boolean;
}

/** Registers `operator silences add|list|expire`. */
export function registerSilencesCommand(program: Command, context: () => CommandContext): void {
  const silences = program
    .command("silences")
    .description("maintenance windows: tickets still open, their notifications are withheld");
  silences
    .command("add")
    .description("add a silence; prints its id")
    .requiredOption(
      "--match <NAME=VALUE>",
      "match subject, invariant, entity or severity exactly (NAME=VALUE) or by anchored regex (NAME=~REGEX); repeat for more",
      collectMatcher,
      [],
    )
    .option("--for <duration>", "how long from now (e.g. 30m, 2h)")
    .option("--until <time>", "when it ends (ISO 8601, e.g. 2026-12-01T18:00:00Z)")
    .requiredOption("--comment <text>", "why (recorded with the silence)")
    .option("--by <name>", "who adds it (default: $USER, else cli)")
    .addOption(dbOption())
    .addOption(configOption())
    .option("--json", "print the new silence as JSON")
    .action(async (flags: AddFlags, command: Command) => {
      const ctx = context();
      const now = Date.now();
      const endsAt = endOf(flags, now);
      const db = await ticketDbPath(command, ctx.cwd);
      const store = await openStore(db, { mustExist: true });
      let silence: Silence;
      try {
        silence = await store.addSilence(
          {
            matchers: flags.match,
            startsAt: now,
            endsAt,
            createdBy: flags.by ?? (ctx.env.USER || "cli"),
            comment: flags.comment ?? "",
          },
          now,
        );
      } finally {
        await store.close();
      }
      if (flags.json) ctx.stdout.write(toJsonText(silenceToJson(silence, now)));
      else ctx.stdout.write(`${silence.id}\n`);
    });
  silences
    .command("list")
    .description("list silences not yet ended, newest first")
    .option("--all", "include silences that have ended")
    .addOption(dbOption())
    .addOption(configOption())
    .option("--json", "print a JSON array of silences (schema in docs/cli.md)")
    .action(async (flags: { all?: boolean; json?: boolean }, command: Command) => {
      const ctx = context();
      const now = Date.now();
      const db = await ticketDbPath(command, ctx.cwd);
      const store = await openStore(db, { readonly: true, mustExist: true });
      let list: readonly Silence[];
      try {
        list = await store.listSilences({ all: flags.all === true, now });
      } finally {
        await store.close();
      }
      const rows = list.map((silence) => silenceToJson(silence, now));
      if (flags.json) {
        ctx.stdout.write(toJsonText(rows));
        return;
      }
      if (rows.length === 0) {
        ctx.stdout.write(flags.all ? "No silences.\n" : "No silences in effect or pending.\n");
        return;
      }
      const color = shouldColor(ctx.stdout, ctx.env, ctx.noColor);
      ctx.stdout.write(
        renderTable(
          list,
          [
            { header: "ID", cell: (s) => String(s.id), align: "right" },
            { header: "STATE", cell: (s) => stateOf(s, now) },
            { header: "MATCHERS", cell: (s) => s.matchers.map(formatSilenceMatcher).join(" ") },
            { header: "STARTS", cell: (s) => shortTime(s.startsAt) },
            { header: "ENDS", cell: (s) => shortTime(silenceEnd(s)) },
            { header: "BY", cell: (s) => s.createdBy },
            { header: "COMMENT", cell: (s) => s.comment },
          ],
          { palette: palette(color), width: ctx.stdout.columns },
        ),
      );
    });
  silences
    .command("expire")
    .description("end a silence now")
    .argument("<id>", "silence id", positiveInt("silence id"))
    .option("--by <name>", "who ends it (default: $USER, else cli)")
    .addOption(dbOption())
    .addOption(configOption())
    .action(async (id: number, flags: { by?: string }, command: Command) => {
      const ctx = context();
      const now = Date.now();
      const db = await ticketDbPath(command, ctx.cwd);
      const store = await openStore(db, { mustExist: true });
      let silence: Silence;
      try {
        silence = await store.expireSilence(id, flags.by ?? (ctx.env.USER || "cli"), now);
      } finally {
        await store.close();
      }
      const by = silence.expiredBy === null ? "" : ` by ${escapeText(silence.expiredBy)}`;
      ctx.stdout.write(`Silence ${silence.id} ended at ${isoTime(silenceEnd(silence))}${by}\n`);
    });
}

/** A silence in its stable JSON form. */
export function silenceToJson(silence: Silence, now: number): SilenceJson {
  return {
    id: silence.id,
    matchers: silence.matchers.map(formatSilenceMatcher),
    startsAt: isoTime(silence.startsAt) as string,
    endsAt: isoTime(silence.endsAt) as string,
    createdBy: silence.createdBy,
    comment: silence.comment,
    createdAt: isoTime(silence.createdAt) as string,
    expiredAt: isoTime(silence.expiredAt),
    expiredBy: silence.expiredBy,
    state: stateOf(silence, now),
  };
}

// --- Internal helpers ---

function collectMatcher(value: string, previous: SilenceMatcher[]): SilenceMatcher[] {
  return [...previous, parseSilenceMatcher(value)];
}

function stateOf(silence: Silence, now: number): SilenceJson["state"] {
  if (silenceEnd(silence) <= now) return "expired";
  return silence.startsAt > now ? "pending" : "active";
}

function endOf(flags: AddFlags, now: number): number {
  if ((flags.for === undefined) === (flags.until === undefined)) {
    throw new InvalidSilenceError("Give exactly one of --for DURATION or --until TIME");
  }
  if (flags.for !== undefined) {
    const ms = parseDuration(flags.for, "--for");
    if (ms <= 0) throw new InvalidSilenceError("--for must be longer than 0");
    return now + ms;
  }
  const text = flags.until ?? "";
  const at = /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new InvalidSilenceError(
      `--until ${JSON.stringify(text)} is not an ISO 8601 time (e.g. 2026-12-01T18:00:00Z)`,
    );
  }
  if (at <= now) throw new InvalidSilenceError(`--until ${text} is not in the future`);
  return at;
}
