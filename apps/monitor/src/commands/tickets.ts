import type { Severity, Ticket, TicketAction, TicketFilter, TicketStatus } from "@operator/core";
import {
  ConfigError,
  DEFAULT_TICKET_PAGE,
  MAX_TICKET_PAGE,
  SEVERITIES,
  TICKET_STATUSES,
} from "@operator/core";
import { type Command, Option } from "commander";
import type { CommandContext } from "../context.ts";
import { escapeText } from "../escape.ts";
import { openStore } from "../open-store.ts";
import { ticketToJson, toJsonText } from "../output.ts";
import { configOption, dbOption, listOf, positiveInt, ticketDbPath } from "./options.ts";
import { printTicketDetail, printTicketTable } from "./tickets-print.ts";

interface ListFlags {
  db: string;
  json?: boolean;
  status?: TicketStatus[];
  severity?: Severity[];
  subject?: string;
  invariant?: string;
  held?: boolean;
  silenced?: boolean;
  all?: boolean;
  limit: number;
  before?: number;
}

interface ActionFlags {
  db: string;
  json?: boolean;
  by?: string;
  comment?: string;
  text?: string;
}

const ACTIONS: readonly { name: string; type: TicketAction["type"]; summary: string }[] = [
  { name: "ack", type: "acknowledge", summary: "acknowledge a ticket: someone is on it" },
  { name: "diagnose", type: "diagnose", summary: "record the diagnosis of a ticket" },
  { name: "resolve", type: "resolve", summary: "resolve a ticket by hand (also clears hold)" },
  { name: "hold", type: "hold", summary: "hold a ticket: the monitor will not auto-resolve it" },
  { name: "unhold", type: "unhold", summary: "release a hold: the monitor may auto-resolve it again" },
];

/** Registers `operator tickets list|show|ack|diagnose|resolve|hold|unhold`. */
export function registerTicketsCommand(program: Command, context: () => CommandContext): void {
  const tickets = program.command("tickets").description("list, inspect and act on tickets");
  tickets
    .command("list")
    .description("list tickets, newest first (unresolved only unless --all or --status)")
    .addOption(dbOption())
    .addOption(configOption())
    .option("--json", "print a JSON array of tickets (schema in docs/cli.md)")
    .option(
      "--status <list>",
      `only these statuses (${TICKET_STATUSES.join(", ")})`,
      listOf(TICKET_STATUSES, "--status"),
    )
    .option(
      "--severity <list>",
      `only these severities (${SEVERITIES.join(", ")})`,
      listOf(SEVERITIES, "--severity"),
    )
    .option("--subject <name>", "only tickets of this subject")
    .option("--invariant <name>", "only tickets of this invariant")
    .option("--held", "only held tickets")
    .option("--no-held", "only tickets that are not held")
    .option("--silenced", "only tickets a silence covers")
    .option("--no-silenced", "only tickets no silence covers")
    .option("--all", "include resolved tickets")
    .addOption(
      new Option("--limit <n>", `at most this many tickets, up to ${MAX_TICKET_PAGE}`)
        .argParser(positiveInt("--limit", MAX_TICKET_PAGE))
        .default(DEFAULT_TICKET_PAGE),
    )
    .option("--before <id>", "only tickets with a smaller id (paging)", positiveInt("--before"))
    .action(async (flags: ListFlags, command: Command) => {
      const held = command.getOptionValueSource("held") === undefined ? undefined : flags.held;
      const silenced = command.getOptionValueSource("silenced") === undefined ? undefined : flags.silenced;
      const ctx = context();
      await listTickets(ctx, { ...flags, db: await ticketDbPath(command, ctx.cwd) }, held, silenced);
    });
  tickets
    .command("show")
    .description("show one ticket with its events and first/last values")
    .argument("<id>", "ticket id", positiveInt("ticket id"))
    .addOption(dbOption())
    .addOption(configOption())
    .option("--json", "print the ticket as JSON, with values and events")
    .action(async (id: number, flags: { db: string; json?: boolean }, command: Command) => {
      const db = await ticketDbPath(command, context().cwd);
      const store = await openStore(db, { readonly: true, mustExist: true });
      try {
        printTicketDetail(context(), await store.getTicket(id), flags.json === true);
      } finally {
        await store.close();
      }
    });
  for (const action of ACTIONS) {
    const command = tickets.command(action.name).description(action.summary);
    command.argument("<id>", "ticket id", positiveInt("ticket id"));
    if (action.type === "diagnose") {
      command
        .argument("[text]", "the diagnosis")
        .option("--text <text>", "the diagnosis (instead of the argument)");
    }
    command
      .addOption(dbOption())
      .addOption(configOption())
      .option("--comment <text>", "a comment recorded with the event")
      .option("--by <name>", "who acts (default: $USER, else cli)")
      .option("--json", "print the changed ticket as JSON")
      .action(async (id: number, ...rest: unknown[]) => {
        const flags = (action.type === "diagnose" ? rest[1] : rest[0]) as ActionFlags;
        const text = action.type === "diagnose" ? ((rest[0] as string | undefined) ?? flags.text) : undefined;
        const ctx = context();
        const db = await ticketDbPath(command, ctx.cwd);
        await applyTicketAction(ctx, id, action.type, { ...flags, db }, text);
      });
  }
}

async function listTickets(
  ctx: CommandContext,
  flags: ListFlags,
  held: boolean | undefined,
  silenced: boolean | undefined,
): Promise<void> {
  const filter: TicketFilter = {
    limit: flags.limit,
    includeResolved: flags.all === true,
    ...(flags.status ? { status: flags.status } : {}),
    ...(flags.severity ? { severity: flags.severity } : {}),
    ...(flags.subject !== undefined ? { subject: flags.subject } : {}),
    ...(flags.invariant !== undefined ? { invariant: flags.invariant } : {}),
    ...(held !== undefined ? { held } : {}),
    ...(silenced !== undefined ? { silenced } : {}),
    ...(flags.before !== undefined ? { before: flags.before } : {}),
  };
  const store = await openStore(flags.db, { readonly: true, mustExist: true });
  try {
    const page = await store.listTickets(filter);
    if (flags.json) {
      ctx.stdout.write(toJsonText(page.tickets.map(ticketToJson)));
      return;
    }
    printTicketTable(ctx, page.tickets);
    if (page.nextCursor !== null) {
      ctx.stderr.write(`operator: more tickets: add --before ${page.nextCursor} for the next page\n`);
    }
  } finally {
    await store.close();
  }
}

async function applyTicketAction(
  ctx: CommandContext,
  id: number,
  type: TicketAction["type"],
  flags: ActionFlags,
  text: string | undefined,
): Promise<void> {
  const actor = flags.by ?? (ctx.env.USER || "cli");
  if (actor.trim() === "") throw new ConfigError("--by needs a name");
  const comment = flags.comment !== undefined ? { comment: flags.comment } : {};
  let action: TicketAction;
  if (type === "diagnose") {
    if (text === undefined || text.trim() === "") {
      throw new ConfigError("diagnose needs the diagnosis text, as an argument or with --text");
    }
    action = { type, actor, diagnosis: text, ...comment };
  } else {
    action = { type, actor, ...comment };
  }
  const store = await openStore(flags.db, { mustExist: true });
  let ticket: Ticket;
  try {
    ticket = await store.applyAction(id, action);
  } finally {
    await store.close();
  }
  if (flags.json) {
    ctx.stdout.write(toJsonText(ticketToJson(ticket)));
    return;
  }
  const state = ticket.held ? `${ticket.status}, held` : ticket.status;
  ctx.stdout.write(
    `Ticket ${ticket.id} ${_pastTense(type)} by ${escapeText(actor)} (now ${state}): ${escapeText(ticket.key)}\n`,
  );
}

// --- Internal helpers ---

function _pastTense(type: TicketAction["type"]): string {
  return {
    acknowledge: "acknowledged",
    diagnose: "diagnosed",
    resolve: "resolved",
    hold: "held",
    unhold: "unheld",
  }[type];
}
