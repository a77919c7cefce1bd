import {
  checkMatcher,
  checkSilenceDraft,
  type Silence,
  type SilenceDraft,
  type SilenceMatcher,
  SilenceNotFoundError,
} from "@operator/core";
import type BetterSqlite3 from "better-sqlite3";

/** A `silences` row as SQLite returns it. */
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

/** SQL for "the silence has not ended by ?": neither its end nor its expiry has come. */
const NOT_ENDED = "ends_at > ? AND (expired_at IS NULL OR expired_at > ?)";

/** The SQLite side of core's `SilenceStore`, on the `silences` table. */
export class Silences {
  readonly #db: BetterSqlite3.Database;
  readonly #s;

  constructor(db: BetterSqlite3.Database) {
    this.#db = db;
    this.#s = {
      insert: db.prepare<[string, number, number, string, string, number], SilenceRow>(`
        INSERT INTO silences (matchers, starts_at, ends_at, created_by, comment, created_at)
        VALUES (?, ?, ?, ?, ?, ?) RETURNING *`),
      byId: db.prepare<[number], SilenceRow>("SELECT * FROM silences WHERE id = ?"),
      all: db.prepare<[], SilenceRow>("SELECT * FROM silences ORDER BY id DESC"),
      current: db.prepare<[number, number], SilenceRow>(
        `SELECT * FROM silences WHERE ${NOT_ENDED} ORDER BY id DESC`,
      ),
      active: db.prepare<[number, number, number], SilenceRow>(
        `SELECT * FROM silences WHERE starts_at <= ? AND ${NOT_ENDED} ORDER BY id`,
      ),
      expire: db.prepare<[number, string, number], SilenceRow>(
        "UPDATE silences SET expired_at = ?, expired_by = ? WHERE id = ? RETURNING *",
      ),
    };
  }

  add(draft: SilenceDraft, now: number): Silence {
    const checked = checkSilenceDraft(draft);
    const matchers = JSON.stringify(
      checked.matchers.map(({ name, value, regex }) => ({ name, value, regex })),
    );
    const row = this.#s.insert.get(
      matchers,
      checked.startsAt,
      checked.endsAt,
      checked.createdBy,
      checked.comment,
      now,
    ) as SilenceRow;
    return silenceFromRow(row);
  }

  list(all: boolean, now: number): Silence[] {
    return (all ? this.#s.all.all() : this.#s.current.all(now, now)).map(silenceFromRow);
  }

  expire(id: number, by: string, now: number): Silence {
    return this.#db
      .transaction(() => {
        const row = this.#s.byId.get(id);
        if (row === undefined) throw new SilenceNotFoundError(id);
        const silence = silenceFromRow(row);
        const end = silence.expiredAt === null ? silence.endsAt : Math.min(silence.endsAt, silence.expiredAt);
        if (end <= now) return silence;
        return silenceFromRow(this.#s.expire.get(now, by, id) as SilenceRow);
      })
      .immediate();
  }

  active(at: number): Silence[] {
    return this.#s.active.all(at, at, at).map(silenceFromRow);
  }
}

/** A silence from its `silences` row (matchers re-checked, so a bad row fails loudly). */
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
