import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { createLeadership, isLeaseStore, type Leadership, type Logger } from "@operator/core";
import type { CliStore } from "./open-store.ts";

/** The longest lease: a replica whose interval is longer still takes over within 15 s and a renewal. */
export const MAX_LEASE_TTL_MS = 15_000;

/**
 * How long a daemon's subject leases last: one interval, at most {@link MAX_LEASE_TTL_MS}. Leases are
 * renewed every quarter of that, so a standby takes over a dead or paused leader's subjects within
 * 1.25 leases, which is less than two intervals.
 */
export function leaseTtlMs(intervalMs: number): number {
  return Math.min(intervalMs, MAX_LEASE_TTL_MS);
}

/**
 * The leadership of a daemon whose store is shared (PostgreSQL), or undefined for a store only one
 * daemon uses (SQLite, guarded by its daemon lock). The holder names the host and process, with a
 * random part so a restarted process with the same pid is another holder.
 */
export function daemonLeadership(
  store: CliStore,
  subjects: readonly string[],
  intervalMs: number,
  logger: Logger,
): Leadership | undefined {
  if (!isLeaseStore(store)) return undefined;
  const holder = `${hostname().slice(0, 100)}:${process.pid}:${randomBytes(4).toString("hex")}`;
  return createLeadership({ leases: store, holder, subjects, ttlMs: leaseTtlMs(intervalMs), logger });
}
