import { errorMessage } from "./evaluation.ts";
import { checkLeaseClaim, type LeaseFence, type LeaseStore } from "./leases.ts";
import { type Logger, silentLogger } from "./logger.ts";

/** Options of {@link createLeadership}. */
export interface LeadershipOptions {
  /** The shared store that keeps the leases. */
  readonly leases: LeaseStore;
  /** This replica's name in the leases: unique per process (e.g. host, pid and a random part). */
  readonly holder: string;
  /** The subjects this replica can run. */
  readonly subjects: readonly string[];
  /** How long a lease lasts without renewal: the longest a dead or paused leader keeps a subject. */
  readonly ttlMs: number;
  /** How often leases are renewed and free ones claimed. @default ttlMs / 4 */
  readonly renewEveryMs?: number;
  readonly logger?: Logger;
  /** A monotonic clock in ms. @default performance.now */
  readonly monotonic?: () => number;
}

/** A change of this replica's role for one subject. */
export interface LeadershipChange {
  readonly subject: string;
  /** True when this replica became the leader, false when it became a standby. */
  readonly leader: boolean;
  /** The fencing token of the lease when it became the leader. */
  readonly token?: number;
}

/**
 * Per-subject leadership among replicas that share one {@link LeaseStore}. Every `renewEveryMs` the
 * replica renews the leases it holds and takes those that are free or expired; it counts itself the
 * leader of a subject only until `ttlMs` after it sent the claim that granted or renewed the lease,
 * on its own monotonic clock. So a replica that was paused or cut off stops acting as leader by
 * itself, before the store lets another replica take over; and the store's fencing refuses any
 * write it started before it noticed.
 */
export interface Leadership {
  readonly holder: string;
  /** Whether this replica leads `subject` now. */
  leads(subject: string): boolean;
  /** The subjects this replica leads now, in the order they were given. */
  led(): string[];
  /** This replica's role per subject: true where it leads. */
  roles(): ReadonlyMap<string, boolean>;
  /** The fence for a cycle writing `subjects` (the tokens this replica holds for them). */
  fence(subjects: readonly string[]): LeaseFence;
  /** Calls `listener` on every change of role; returns a function that removes it. */
  onChange(listener: (change: LeadershipChange) => void): () => void;
  /** Claims at once (a failure is logged, not thrown), then keeps claiming every `renewEveryMs`. */
  start(): Promise<void>;
  /** Watches `subjects` from now on: leases of subjects dropped are released, new ones claimed at once. */
  setSubjects(subjects: readonly string[]): Promise<void>;
  /** Stops claiming and releases every lease held, so a standby takes over at once. */
  stop(): Promise<void>;
  /** When (monotonic ms) a claim last reached the store; undefined before the first. */
  readonly lastContact: number | undefined;
}

/** Creates a {@link Leadership}; nothing is claimed before `start()`. */
export function createLeadership(options: LeadershipOptions): Leadership {
  const { leases, holder, ttlMs } = options;
  checkLeaseClaim(holder, ttlMs);
  const renewEveryMs = options.renewEveryMs ?? Math.max(1, Math.floor(ttlMs / 4));
  const logger = options.logger ?? silentLogger;
  const monotonic = options.monotonic ?? (() => performance.now());
  let subjects = [...options.subjects];
  const held = new Map<string, { token: number; validUntil: number }>();
  const otherHolder = new Map<string, string>();
  const roles = new Map<string, boolean>();
  const listeners = new Set<(change: LeadershipChange) => void>();
  let lastContact: number | undefined;
  let failing = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> | undefined;
  let stopped = false;

  const leads = (subject: string) => {
    const lease = held.get(subject);
    return lease !== undefined && monotonic() < lease.validUntil;
  };

  async function claim(): Promise<void> {
    const names = subjects;
    if (names.length === 0) return;
    const sent = monotonic();
    try {
      const granted = await leases.claimLeases(holder, names, ttlMs);
      lastContact = monotonic();
      if (failing) logger.info("Leases can be renewed again");
      failing = false;
      const watched = new Set(subjects);
      for (const lease of granted) {
        if (!watched.has(lease.subject)) continue;
        if (lease.holder === holder) {
          held.set(lease.subject, { token: lease.token, validUntil: sent + ttlMs });
          otherHolder.delete(lease.subject);
        } else {
          held.delete(lease.subject);
          otherHolder.set(lease.subject, lease.holder);
        }
      }
    } catch (error) {
      if (!failing) logger.warn(`Cannot claim or renew leases: ${errorMessage(error)}`, { holder });
      failing = true;
    }
  }

  function report(): void {
    for (const subject of subjects) {
      const leader = leads(subject);
      if (roles.get(subject) === leader) continue;
      const first = !roles.has(subject);
      roles.set(subject, leader);
      const token = held.get(subject)?.token;
      const by = otherHolder.get(subject);
      if (leader) {
        logger.info(`Leading subject "${subject}" (lease token ${token})`, { subject, holder, token });
      } else if (first) {
        logger.info(`Standing by for subject "${subject}"${by ? `: led by ${by}` : ""}`, { subject, holder });
      } else {
        logger.warn(
          `No longer leading subject "${subject}"${by ? `: now led by ${by}` : ": lease expired"}`,
          {
            subject,
            holder,
          },
        );
      }
      const change: LeadershipChange =
        leader && token !== undefined ? { subject, leader, token } : { subject, leader };
      for (const listener of listeners) {
        try {
          listener(change);
        } catch (error) {
          logger.error(`A leadership listener failed: ${errorMessage(error)}`);
        }
      }
    }
  }

  function round(): Promise<void> {
    inFlight ??= claim().finally(() => {
      inFlight = undefined;
      report();
    });
    return inFlight;
  }

  function tick(): void {
    if (stopped) return;
    report();
    void round();
    timer = setTimeout(tick, renewEveryMs);
    timer.unref?.();
  }

  async function release(names: readonly string[]): Promise<void> {
    const mine = names.filter((subject) => held.has(subject));
    for (const subject of mine) held.delete(subject);
    if (mine.length === 0) return;
    try {
      await leases.releaseLeases(holder, mine);
      logger.info(`Released the leases of ${mine.map((s) => `"${s}"`).join(", ")}`, { holder });
    } catch (error) {
      logger.warn(`Cannot release leases (they expire by themselves): ${errorMessage(error)}`, { holder });
    }
  }

  return {
    holder,
    leads,
    led: () => subjects.filter(leads),
    roles: () => new Map(subjects.map((subject) => [subject, leads(subject)])),
    fence(names) {
      const tokens = new Map<string, number>();
      for (const subject of names) {
        const lease = held.get(subject);
        if (lease !== undefined) tokens.set(subject, lease.token);
      }
      return { holder, tokens };
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async start() {
      await round();
      if (!stopped && timer === undefined) {
        timer = setTimeout(tick, renewEveryMs);
        timer.unref?.();
      }
    },
    async setSubjects(next) {
      const kept = new Set(next);
      const dropped = subjects.filter((subject) => !kept.has(subject));
      subjects = [...next];
      for (const subject of dropped) {
        roles.delete(subject);
        otherHolder.delete(subject);
      }
      await inFlight;
      await release(dropped);
      if (!stopped) await round();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
      await release(subjects);
    },
    get lastContact() {
      return lastContact;
    },
  };
}
