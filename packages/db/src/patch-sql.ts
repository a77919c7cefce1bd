import type { Ticket, TicketPatch } from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";

/** Every field a `TicketPatch` may set, with its column. */
const PATCH_COLUMNS = {
  severity: "severity",
  status: "status",
  held: "held",
  flapping: "flapping",
  silenced: "silenced",
  message: "message",
  firstSeenAt: "first_seen_at",
  lastSeenAt: "last_seen_at",
  occurrenceCount: "occurrence_count",
  batchKey: "batch_key",
  previousTicketId: "previous_ticket_id",
  firstValues: "first_values",
  lastValues: "last_values",
  runbook: "runbook",
  diagnosis: "diagnosis",
  acknowledgedAt: "acknowledged_at",
  acknowledgedBy: "acknowledged_by",
  resolvedAt: "resolved_at",
  resolvedBy: "resolved_by",
  updatedAt: "updated_at",
} as const satisfies Record<keyof TicketPatch, string>;

type PatchField = keyof typeof PATCH_COLUMNS;

/** Named parameters of a patch statement: `id` plus one per patched field, in SQLite's types. */
export type PatchParams = Record<string, string | number | null>;

/** A ticket's sighting (see `ticket_sightings`), under the names of {@link PatchParams}. */
interface SightingParams {
  readonly lastSeenAt: number;
  readonly occurrenceCount: number;
  readonly updatedAt: number;
}

/**
 * Applies ticket patches with one prepared `UPDATE ... WHERE id = @id` per distinct set of fields.
 * Only the columns a patch names are written, which keeps untouched indexes (and unchanged JSON)
 * alone. The ticket's sighting, if it has one, is folded into the same update: the patch's own
 * values win, the sighting's fill the moving fields the patch leaves alone.
 */
export class TicketPatcher {
  readonly #db: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement<unknown[], unknown>>();
  readonly #takeSighting: BetterSqlite3.Statement<[number], SightingParams>;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#takeSighting = db.prepare(`
      DELETE FROM ticket_sightings WHERE ticket_id = ?
      RETURNING last_seen_at AS lastSeenAt, occurrence_count AS occurrenceCount, updated_at AS updatedAt`);
  }

  /** Writes `params` (from {@link patchParams}) to the ticket `params.id`. */
  run(params: PatchParams): void {
    if (Object.keys(params).length < 2) return;
    const sighting = this.#takeSighting.get(params.id as number);
    if (sighting !== undefined) params = { ...sighting, ...params };
    const fields = Object.keys(params).filter((f) => f !== "id");
    const signature = fields.join(",");
    let statement = this.#statements.get(signature);
    if (statement === undefined) {
      const sets = fields.map((f) => `${PATCH_COLUMNS[f as PatchField]} = ?`);
      statement = this.#db.prepare<unknown[], unknown>(`UPDATE tickets SET ${sets.join(", ")} WHERE id = ?`);
      this.#statements.set(signature, statement);
    }
    const values = fields.map((f) => params[f] ?? null);
    values.push(params.id ?? null);
    statement.run(...values);
  }
}

/**
 * A patch as statement parameters: booleans as 0/1, value snapshots as JSON text. With `before` (the
 * ticket as stored, and its stored `lastValues` JSON), fields that would not change are left out, so
 * a recurrence writes only what moved and never rewrites unchanged JSON. Unknown fields are refused.
 */
export function patchParams(
  id: number,
  patch: TicketPatch,
  before?: { readonly ticket: Ticket; readonly lastValuesJson: string | undefined },
): PatchParams {
  const params: PatchParams = { id };
  for (const field in patch) {
    const value = patch[field as PatchField];
    if (value === undefined) continue;
    if (!(field in PATCH_COLUMNS)) throw new TypeError(`Unknown ticket field in patch: ${field}`);
    const old = before?.ticket[field as PatchField];
    if (field === "firstValues" || field === "lastValues") {
      if (field === "lastValues" && value === old && before?.lastValuesJson !== undefined) continue;
      const text = JSON.stringify(value);
      if (field === "lastValues" && text === before?.lastValuesJson) continue;
      params[field] = text;
    } else if (field === "runbook") {
      const text = value === null ? null : JSON.stringify(value);
      if (before !== undefined && text === (old === null ? null : JSON.stringify(old))) continue;
      params[field] = text;
    } else if (value !== old) {
      params[field] = typeof value === "boolean" ? (value ? 1 : 0) : (value as string | number | null);
    }
  }
  return params;
}
