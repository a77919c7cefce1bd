import { checkLeaseClaim, type LeaseStore, type SubjectLease } from "./leases.ts";

/** Leases in memory, on `clock`: the {@link LeaseStore} part of the memory store. */
export interface MemoryLeases extends LeaseStore {
  /** The leases by subject, as stored. */
  readonly bySubject: ReadonlyMap<string, SubjectLease>;
  /** The subjects whose lease has not expired at `now`. */
  liveSubjects(now: number): Set<string>;
}

/** Creates the leases of a memory store. */
export function createMemoryLeases(clock: () => number): MemoryLeases {
  const leases = new Map<string, SubjectLease>();
  return {
    bySubject: leases,
    liveSubjects: (now) =>
      new Set([...leases.values()].filter((l) => l.expiresAt > now).map((l) => l.subject)),
    async claimLeases(holder, subjects, ttlMs) {
      checkLeaseClaim(holder, ttlMs);
      const now = clock();
      for (const subject of new Set(subjects)) {
        const lease = leases.get(subject);
        if (lease === undefined || lease.holder === holder || lease.expiresAt <= now) {
          const token = lease === undefined ? 1 : lease.holder === holder ? lease.token : lease.token + 1;
          leases.set(subject, Object.freeze({ subject, holder, token, expiresAt: now + ttlMs }));
        }
      }
      return subjects.flatMap((subject) => leases.get(subject) ?? []);
    },
    async releaseLeases(holder, subjects) {
      checkLeaseClaim(holder);
      const now = clock();
      for (const subject of subjects) {
        const lease = leases.get(subject);
        if (lease?.holder === holder && lease.expiresAt > now) {
          leases.set(subject, Object.freeze({ ...lease, expiresAt: now }));
        }
      }
    },
    async listLeases() {
      return [...leases.values()].sort((a, b) =>
        a.subject < b.subject ? -1 : a.subject > b.subject ? 1 : 0,
      );
    },
  };
}
