import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Path of the operator CLI entry point (the monitor app's bin shim, which loads the built dist). */
export const OPERATOR_BIN: string = fileURLToPath(new URL("../../monitor/bin.js", import.meta.url));

/** A ticket as `operator tickets list --json` prints it (times are epoch milliseconds). */
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
  readonly message: string;
  readonly occurrenceCount: number;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
  readonly resolvedAt: number | null;
  readonly batchKey: string;
  readonly createdAt?: number;
  readonly previousTicketId?: number | null;
  readonly firstValues?: Readonly<Record<string, unknown>>;
  readonly lastValues?: Readonly<Record<string, unknown>>;
  readonly [field: string]: unknown;
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

/** Every ticket in the database, resolved ones included, read through `operator tickets list --json --all`. */
export async function listTickets(dbPath: string): Promise<ListedTicket[]> {
  const args = ["tickets", "list", "--json", "--all", "--db", dbPath];
  const result = await runOperator(args);
  if (result.code !== 0) throw new CliError(args, result, `exited with ${result.code}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new CliError(args, result, `printed no JSON: ${result.stdout.slice(0, 200)}`);
  }
  const rows = Array.isArray(parsed) ? parsed : (parsed as { tickets?: unknown })?.tickets;
  if (!Array.isArray(rows)) throw new CliError(args, result, "printed JSON that is not a list of tickets");
  return rows as ListedTicket[];
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
