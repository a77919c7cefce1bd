import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Path of the operator CLI entry point (the monitor app's bin shim, which loads the built dist). */
export const OPERATOR_BIN: string = fileURLToPath(new URL("../../monitor/bin.cjs", import.meta.url));

/**
 * A ticket as `operator tickets list --json` prints it, with its ISO 8601 times turned into epoch
 * milliseconds for arithmetic.
 */
export interface ListedTicket {
  readonly id: number;
  readonly key: string;
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  readonly severity: string;
  readonly status: string;
  readonly held: boolean;
  readonly flapping: boolean;
  readonly silenced: boolean;
  readonly message: string;
  readonly occurrenceCount: number;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly resolvedAt: number | null;
  readonly resolvedBy: string | null;
  readonly acknowledgedAt: number | null;
  readonly acknowledgedBy: string | null;
  readonly diagnosis: string | null;
  readonly batchKey: string;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly previousTicketId: number | null;
}

/** One event of a ticket, as `operator tickets show --json` prints it. */
export interface ShownEvent {
  readonly at: number;
  readonly actor: string;
  readonly kind: string;
  readonly from: string | null;
  readonly to: string | null;
  readonly comment: string | null;
}

/** A ticket with its values and history, as `operator tickets show ID --json` prints it. */
export interface ShownTicket extends ListedTicket {
  readonly firstValues: Readonly<Record<string, unknown>>;
  readonly lastValues: Readonly<Record<string, unknown>>;
  readonly events: readonly ShownEvent[];
}

/** What one CLI run printed and how it ended. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Thrown when a CLI command that should succeed exits non-zero or prints something unreadable. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    readonly args: readonly string[],
    readonly result: CliResult,
    detail: string,
  ) {
    super(`operator ${args.join(" ")}: ${detail}\n${result.stderr.trim()}`);
  }
}

/** Runs `operator ARGS` to completion with a timeout, never throwing for a non-zero exit. */
export function runOperator(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [OPERATOR_BIN, ...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") {
          reject(error);
          return;
        }
        resolve({ code: typeof error?.code === "number" ? error.code : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Every ticket in the database, resolved ones included, read through `operator tickets list --json --all`
 * page by page (newest first).
 */
export async function listTickets(dbPath: string): Promise<ListedTicket[]> {
  const tickets: ListedTicket[] = [];
  for (let before: number | undefined; ; ) {
    const args = ["tickets", "list", "--json", "--all", "--limit", String(PAGE), "--db", dbPath];
    if (before !== undefined) args.push("--before", String(before));
    const rows = await _runJson(args);
    if (!Array.isArray(rows)) throw new CliError(args, EMPTY, "printed JSON that is not a list of tickets");
    const page = rows.map(
      (row) => _withEpochTimes(row as Record<string, unknown>) as unknown as ListedTicket,
    );
    tickets.push(...page);
    if (page.length < PAGE) return tickets;
    before = page.at(-1)?.id;
  }
}

/** One ticket with its values and events, through `operator tickets show ID --json`. */
export async function showTicket(dbPath: string, id: number): Promise<ShownTicket> {
  const detail = (await _runJson(["tickets", "show", String(id), "--json", "--db", dbPath])) as Record<
    string,
    unknown
  >;
  const events = Array.isArray(detail.events) ? detail.events : [];
  return {
    ...(_withEpochTimes(detail) as unknown as ShownTicket),
    events: events.map((event) => _withEpochTimes(event as Record<string, unknown>) as unknown as ShownEvent),
  };
}

/** Runs `operator tickets <action> ID --db FILE`; throws unless it exits 0. */
export async function ticketAction(
  dbPath: string,
  action: "hold" | "unhold" | "resolve" | "ack",
  id: number,
  extra: readonly string[] = [],
): Promise<CliResult> {
  const args = ["tickets", action, String(id), "--db", dbPath, ...extra];
  const result = await runOperator(args);
  if (result.code !== 0) throw new CliError(args, result, `exited with ${result.code}`);
  return result;
}

// --- Internal helpers ---

/** The largest page `tickets list` serves. */
const PAGE = 1000;
const EMPTY: CliResult = { code: 0, stdout: "", stderr: "" };
const TIME_FIELDS = [
  "firstSeenAt",
  "lastSeenAt",
  "resolvedAt",
  "acknowledgedAt",
  "createdAt",
  "updatedAt",
  "at",
];

async function _runJson(args: readonly string[]): Promise<unknown> {
  const result = await runOperator(args);
  if (result.code !== 0) throw new CliError(args, result, `exited with ${result.code}`);
  try {
    return JSON.parse(result.stdout);
  } catch {
    throw new CliError(args, result, `printed no JSON: ${result.stdout.slice(0, 200)}`);
  }
}

function _withEpochTimes(row: Record<string, unknown>): Record<string, unknown> {
  const out = { ...row };
  for (const field of TIME_FIELDS) {
    const value = out[field];
    if (typeof value === "string") out[field] = Date.parse(value);
  }
  return out;
}
