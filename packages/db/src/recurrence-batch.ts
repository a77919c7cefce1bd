import type { Ticket } from "@operator/core";
import type { PatchParams } from "./patch-sql.ts";
import type { Statements } from "./statements.ts";

/**
 * Groups plain recurrences (a change that only moves `lastSeenAt`, `updatedAt` and adds one to
 * `occurrenceCount`) so that one `UPDATE ... WHERE id IN (json_each(?))` writes all of them: in a steady
 * cycle that is every open ticket, and one statement costs about a third of a thousand. The result is
 * exactly what the individual patches would write, because `occurrence_count + 1` is computed inside
 * the cycle's transaction from the same stored value the planner saw.
 */
export class RecurrenceBatch {
  readonly #s: Statements;
  /** Queued ids per (lastSeenAt, updatedAt); a cycle almost always has one group. */
  readonly #groups: { lastSeenAt: number; updatedAt: number; ids: number[] }[] = [];
  readonly #queued = new Set<number>();

  constructor(s: Statements) {
    this.#s = s;
  }

  /** Queues the change and returns true when `params` are a plain recurrence of `before`. */
  offer(params: PatchParams, before: Ticket): boolean {
    const { lastSeenAt, updatedAt, occurrenceCount } = params;
    if (typeof lastSeenAt !== "number" || typeof updatedAt !== "number") return false;
    if (occurrenceCount !== before.occurrenceCount + 1 || fieldCount(params) !== 4) return false;
    let group = this.#groups.find((g) => g.lastSeenAt === lastSeenAt && g.updatedAt === updatedAt);
    if (group === undefined) {
      group = { lastSeenAt, updatedAt, ids: [] };
      this.#groups.push(group);
    }
    group.ids.push(before.id);
    this.#queued.add(before.id);
    return true;
  }

  /** True when a change to `id` is queued (write the queue before changing it again). */
  has(id: number): boolean {
    return this.#queued.has(id);
  }

  /** Writes every queued recurrence. */
  flush(): void {
    for (const { lastSeenAt, updatedAt, ids } of this.#groups) {
      this.#s.bumpRecurrences.run(lastSeenAt, updatedAt, JSON.stringify(ids));
    }
    this.#groups.length = 0;
    this.#queued.clear();
  }
}

/** The number of fields in `params` (`id` included), without allocating a key array. */
function fieldCount(params: PatchParams): number {
  let count = 0;
  for (const _ in params) count++;
  return count;
}
