import { ConfigError, type ErrorCategory, isOperatorError, OperatorError } from "./errors.ts";

/** One subject's lease as a shared store holds it: who runs that subject's cycles, until when. */
export interface SubjectLease {
  readonly subject: string;
  /** The replica holding (or last holding) the lease. */
  readonly holder: string;
  /** The fencing token: it grows by one every time the lease passes to another holder. */
  readonly token: number;
  /** When the lease ends unless renewed (epoch ms, on the store's clock). */
  readonly expiresAt: number;
}

/** What a cycle's writes require: the holder and, per subject written, the token it holds. */
export interface LeaseFence {
  readonly holder: string;
  readonly tokens: ReadonlyMap<string, number>;
}

/**
 * The lease port of a store several monitor replicas share (`@operator/db-postgres`, and the memory
 * store for tests). Leases are decided by the store, on its clock, so replicas' clocks do not matter.
 * Such a store checks a {@link LeaseFence} passed to `recordCycle`: in the cycle's write transaction,
 * after its write lock, every subject written must still be leased to the fence's holder with the
 * fence's token and not expired, or the whole cycle is refused with a {@link LeaseLostError}.
 */
export interface LeaseStore {
  /**
   * For each of `subjects`: renews the lease when `holder` holds it (same token), takes it when it is
   * free or expired (the token grows by one), and leaves it alone otherwise. Returns the leases of
   * `subjects` as they stand afterwards, whoever holds them.
   */
  claimLeases(holder: string, subjects: readonly string[], ttlMs: number): Promise<readonly SubjectLease[]>;
  /** Ends `holder`'s leases of `subjects` now, so another replica may take them at once. */
  releaseLeases(holder: string, subjects: readonly string[]): Promise<void>;
  /** Every lease, expired or not, sorted by subject. */
  listLeases(): Promise<readonly SubjectLease[]>;
}

/** Whether `store` implements {@link LeaseStore}. */
export function isLeaseStore(store: unknown): store is LeaseStore {
  const s = store as Partial<LeaseStore> | null;
  return typeof s?.claimLeases === "function" && typeof s.releaseLeases === "function";
}

/** A cycle's writes were refused: this replica no longer holds the lease of the subjects named. */
export class LeaseLostError extends OperatorError {
  static override readonly defaultCategory: ErrorCategory = "refused";
  override name = "LeaseLostError";
  constructor(readonly subjects: readonly string[]) {
    super(
      `This replica no longer leads ${subjects.map((s) => `"${s}"`).join(", ")}: the cycle's writes were refused`,
    );
  }
}

/** Whether `error` is a {@link LeaseLostError} (also from another copy of this package). */
export function isLeaseLost(error: unknown): error is LeaseLostError {
  return isOperatorError(error) && error.name === "LeaseLostError";
}

/** The longest lease holder name a store accepts. */
export const MAX_HOLDER_LENGTH = 200;

/**
 * Checks the arguments of a lease claim (a holder of 1-200 characters, a whole ttl of 1 ms or more)
 * and throws a {@link ConfigError} naming what is wrong. Every lease store calls it.
 */
export function checkLeaseClaim(holder: string, ttlMs?: number): void {
  if (typeof holder !== "string" || holder.length === 0 || holder.length > MAX_HOLDER_LENGTH) {
    throw new ConfigError(`Invalid lease holder: expected 1 to ${MAX_HOLDER_LENGTH} characters`);
  }
  if (ttlMs !== undefined && (!Number.isSafeInteger(ttlMs) || ttlMs < 1)) {
    throw new ConfigError(`Invalid lease ttl: expected a whole number of ms, 1 or more, got ${ttlMs}`);
  }
}

/**
 * The subjects of `subjects` that `fence` does not cover with a live lease in `leases` (held by the
 * fence's holder, with the fence's token, expiring after `now`). A store refuses the cycle when
 * any is left. Without a fence nothing is checked.
 */
export function fencedOut(
  fence: LeaseFence | undefined,
  subjects: readonly string[],
  leases: ReadonlyMap<string, SubjectLease>,
  now: number,
): string[] {
  if (fence === undefined) return [];
  return subjects.filter((subject) => {
    const lease = leases.get(subject);
    return (
      lease === undefined ||
      lease.holder !== fence.holder ||
      lease.token !== fence.tokens.get(subject) ||
      lease.expiresAt <= now
    );
  });
}
