import {
  checkLeaseClaim,
  fencedOut,
  type LeaseFence,
  LeaseLostError,
  type SubjectLease,
} from "@operator/core";
import type { Sql, TransactionSql } from "postgres";

/** Epoch ms on the lease clock: the given time (a test clock) or, when null, the database's own clock. */
const LEASE_NOW = "coalesce($1::bigint, (extract(epoch from clock_timestamp()) * 1000)::bigint)";

interface LeaseRow {
  subject: string;
  holder: string;
  token: number;
  expires_at: number;
}

/**
 * One statement: takes or renews the lease of each subject for `holder` (renewing keeps the token,
 * taking a free or expired one adds one to it), then reads back the leases of every subject asked.
 * Concurrent claims of one subject serialise on its row; `ON CONFLICT ... WHERE` re-checks the
 * latest row, so only one replica wins a lease.
 */
const CLAIM = `
  WITH clock AS (SELECT ${LEASE_NOW} AS now),
  asked AS (SELECT DISTINCT json_array_elements_text($3::json) AS subject),
  claimed AS (
    INSERT INTO subject_leases AS l (subject, holder, token, expires_at, acquired_at)
    SELECT asked.subject, $2, 1, clock.now + $4, clock.now FROM asked, clock
    ON CONFLICT (subject) DO UPDATE SET
      token = CASE WHEN l.holder = excluded.holder THEN l.token ELSE l.token + 1 END,
      acquired_at = CASE WHEN l.holder = excluded.holder THEN l.acquired_at ELSE excluded.acquired_at END,
      holder = excluded.holder,
      expires_at = excluded.expires_at
    WHERE l.holder = excluded.holder OR l.expires_at <= excluded.acquired_at
    RETURNING l.subject, l.holder, l.token, l.expires_at)
  SELECT subject, holder, token, expires_at FROM claimed
  UNION ALL
  SELECT subject, holder, token, expires_at FROM subject_leases
  WHERE subject IN (SELECT subject FROM asked) AND subject NOT IN (SELECT subject FROM claimed)`;

/** See `LeaseStore.claimLeases`; `now` is the lease clock (null: the database's). */
export async function claimLeases(
  sql: Sql,
  now: number | null,
  holder: string,
  subjects: readonly string[],
  ttlMs: number,
): Promise<SubjectLease[]> {
  checkLeaseClaim(holder, ttlMs);
  if (subjects.length === 0) return [];
  const rows = await sql.unsafe<LeaseRow[]>(CLAIM, [now, holder, JSON.stringify(subjects), ttlMs]);
  const order = new Map(subjects.map((subject, n) => [subject, n]));
  return rows.map(leaseFromRow).sort((a, b) => (order.get(a.subject) ?? 0) - (order.get(b.subject) ?? 0));
}

/** See `LeaseStore.releaseLeases`. */
export async function releaseLeases(
  sql: Sql,
  now: number | null,
  holder: string,
  subjects: readonly string[],
): Promise<void> {
  checkLeaseClaim(holder);
  if (subjects.length === 0) return;
  await sql.unsafe(
    `WITH clock AS (SELECT ${LEASE_NOW} AS now)
     UPDATE subject_leases SET expires_at = clock.now FROM clock
     WHERE holder = $2 AND expires_at > clock.now
       AND subject IN (SELECT json_array_elements_text($3::json))`,
    [now, holder, JSON.stringify(subjects)],
  );
}

/** See `LeaseStore.listLeases`. */
export async function listLeases(sql: Sql): Promise<SubjectLease[]> {
  const rows = await sql<LeaseRow[]>`
    SELECT subject, holder, token, expires_at FROM subject_leases ORDER BY subject COLLATE "C"`;
  return rows.map(leaseFromRow);
}

/**
 * Throws {@link LeaseLostError} unless `fence` holds for every subject written. Run inside the
 * cycle's transaction after the write lock: a replica that lost a lease since it decided to write
 * (it was paused, or cut off) has its whole cycle rolled back.
 */
export async function checkFence(
  tx: TransactionSql,
  now: number | null,
  fence: LeaseFence | undefined,
  subjects: readonly string[],
): Promise<void> {
  if (fence === undefined) return;
  const rows = await tx.unsafe<(LeaseRow & { now: number })[]>(
    `SELECT l.subject, l.holder, l.token, l.expires_at, clock.now
     FROM (SELECT ${LEASE_NOW} AS now) AS clock
     LEFT JOIN subject_leases l ON l.subject IN (SELECT json_array_elements_text($2::json))`,
    [now, JSON.stringify(subjects)],
  );
  const at = rows[0]?.now ?? 0;
  const leases = new Map(rows.filter((r) => r.subject !== null).map((r) => [r.subject, leaseFromRow(r)]));
  const lost = fencedOut(fence, subjects, leases, at);
  if (lost.length > 0) throw new LeaseLostError(lost);
}

/** The subjects whose lease has not expired: another replica may be watching them. */
export async function leasedSubjects(tx: TransactionSql, now: number | null): Promise<Set<string>> {
  const rows = await tx.unsafe<{ subject: string }[]>(
    `SELECT subject FROM subject_leases WHERE expires_at > ${LEASE_NOW}`,
    [now],
  );
  return new Set(rows.map((row) => row.subject));
}

function leaseFromRow(row: LeaseRow): SubjectLease {
  return { subject: row.subject, holder: row.holder, token: row.token, expiresAt: row.expires_at };
}
