import {
  checkMatcher,
  checkSilenceDraft,
  type Silence,
  type SilenceDraft,
  type SilenceMatcher,
  SilenceNotFoundError,
} from "@operator/core";
import type { Sql } from "postgres";
import { lockWrites } from "./writes.ts";

/** A `silences` row. */
export interface SilenceRow {
  id: number;
  matchers: string;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
  created_at: number;
  expired_at: number | null;
  expired_by: string | null;
}

/** Adds a silence (checked by core's `checkSilenceDraft`). */
export async function addSilence(sql: Sql, draft: SilenceDraft, now: number): Promise<Silence> {
  const checked = checkSilenceDraft(draft);
  const matchers = JSON.stringify(checked.matchers.map(({ name, value, regex }) => ({ name, value, regex })));
  const [row] = await sql<SilenceRow[]>`
    INSERT INTO silences (matchers, starts_at, ends_at, created_by, comment, created_at)
    VALUES (${matchers}, ${checked.startsAt}, ${checked.endsAt}, ${checked.createdBy}, ${checked.comment}, ${now})
    RETURNING *`;
  return silenceFromRow(row as SilenceRow);
}

/** Every silence (`all`) or those not ended at `now`, newest first. */
export async function listSilences(sql: Sql, all: boolean, now: number): Promise<Silence[]> {
  const rows = all
    ? await sql<SilenceRow[]>`SELECT * FROM silences ORDER BY id DESC`
    : await sql<SilenceRow[]>`
        SELECT * FROM silences WHERE ends_at > ${now} AND (expired_at IS NULL OR expired_at > ${now})
        ORDER BY id DESC`;
  return rows.map(silenceFromRow);
}

/** Ends a silence now; one already ended is returned as it is. */
export async function expireSilence(sql: Sql, id: number, by: string, now: number): Promise<Silence> {
  return sql.begin(async (tx) => {
    await lockWrites(tx);
    const [row] = await tx<SilenceRow[]>`SELECT * FROM silences WHERE id = ${id}`;
    if (row === undefined) throw new SilenceNotFoundError(id);
    const silence = silenceFromRow(row);
    const end = silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt);
    if (end <= now) return silence;
    const [after] = await tx<SilenceRow[]>`
      UPDATE silences SET expired_at = ${now}, expired_by = ${by} WHERE id = ${id} RETURNING *`;
    return silenceFromRow(after as SilenceRow);
  });
}

/** Silences in effect at `at`, oldest first. */
export async function activeSilences(sql: Sql, at: number): Promise<Silence[]> {
  const rows = await sql<SilenceRow[]>`
    SELECT * FROM silences
    WHERE starts_at <= ${at} AND ends_at > ${at} AND (expired_at IS NULL OR expired_at > ${at})
    ORDER BY id`;
  return rows.map(silenceFromRow);
}

/** A silence from its row (matchers re-checked, so a bad row fails loudly). */
export function silenceFromRow(row: SilenceRow): Silence {
  const parsed: unknown = JSON.parse(row.matchers);
  const matchers: SilenceMatcher[] = (Array.isArray(parsed) ? parsed : []).map((m) =>
    checkMatcher({ name: String(m?.name), value: String(m?.value), regex: m?.regex === true }),
  );
  return Object.freeze({
    id: row.id,
    matchers,
    startsAt: row.starts_at,
    endsAt: row.ends_at,
    createdBy: row.created_by,
    comment: row.comment,
    createdAt: row.created_at,
    expiredAt: row.expired_at,
    expiredBy: row.expired_by,
  });
}
