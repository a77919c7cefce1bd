import {
  type CyclePlan,
  type CycleSnapshot,
  DEFAULT_FLAP_OPTIONS,
  type EntityResult,
  type InvariantSettings,
  planCycle,
  type Runbook,
} from "../index.ts";

/** What one subject's invariants said in a cycle: results per invariant, or `null` when unreadable. */
export type SubjectView = Readonly<Record<string, readonly EntityResult[] | "unknown">> | null;

const SETTINGS: Record<string, InvariantSettings> = {
  store_down: { enabled: true, severity: "critical", forMs: 0, clearMs: 0, thresholds: {} },
  high_latency: { enabled: true, severity: "warning", forMs: 60_000, clearMs: 30_000, thresholds: {} },
};

/** The invariants the test plans know; each has its own grace period and clear window. */
export const INVARIANTS: readonly string[] = Object.keys(SETTINGS);

/** What a subject reported besides its results: its secondary sources and its identity. */
export interface SubjectHealthView {
  readonly sources?: Readonly<Record<string, string | null>>;
  readonly identity?: string;
}

/**
 * A plan function running core's real `planCycle` for `subjects` at `now`; `runbooks` gives
 * invariants (by name) a runbook hint.
 */
export function realPlan(
  id: string,
  now: number,
  subjects: Readonly<Record<string, SubjectView>>,
  health: Readonly<Record<string, SubjectHealthView>> = {},
  runbooks: Readonly<Record<string, Runbook>> = {},
): (snapshot: CycleSnapshot) => CyclePlan {
  return (snapshot) =>
    planCycle(
      {
        id,
        startedAt: now,
        now,
        unreachableAfter: 3,
        flap: DEFAULT_FLAP_OPTIONS,
        subjects: Object.entries(subjects).map(([name, view]) => ({
          name,
          failure: view === null ? "unreachable" : null,
          ...(view === null ? {} : health[name]),
          invariants: INVARIANTS.map((invariant) => {
            const results = view?.[invariant];
            const runbook = runbooks[invariant];
            return {
              name: invariant,
              settings: SETTINGS[invariant] as InvariantSettings,
              ...(runbook === undefined ? {} : { runbook }),
              outcome:
                view === null || results === "unknown"
                  ? { kind: "unknown" as const, reason: "test: unknown" }
                  : { kind: "results" as const, results: results ?? [] },
            };
          }),
        })),
      },
      snapshot,
    );
}

/** A small seeded PRNG (xorshift32), so a failing sequence can be replayed. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/**
 * A made-up world of subjects whose entities flip between ok and violated at `flipRate` per cycle,
 * with occasional unknown results, unknown invariants and unreadable subjects.
 */
export class TestWorld {
  readonly #violated = new Set<string>();
  readonly #random: () => number;
  readonly #identity = new Map<string, string>();
  /** Sources and identity per subject of the latest {@link TestWorld.next} (with `health` on). */
  health: Record<string, SubjectHealthView> = {};

  constructor(
    readonly subjects: readonly string[],
    readonly entities: number,
    readonly flipRate: number,
    seed: number,
    /** Also report a flaky `prometheus` source, identity changes and entities that are gone. */
    readonly withHealth = false,
  ) {
    this.#random = seeded(seed);
  }

  /** The next cycle's view of every subject. */
  next(): Record<string, SubjectView> {
    const random = this.#random;
    const views: Record<string, SubjectView> = {};
    for (const subject of this.subjects) {
      if (random() < 0.03) {
        views[subject] = null;
        continue;
      }
      if (this.withHealth) {
        if (random() < 0.03) this.#identity.set(subject, `cluster-${Math.floor(random() * 3)}`);
        this.health[subject] = {
          sources: { prometheus: random() < 0.3 ? "connect ECONNREFUSED 127.0.0.1:9090" : null },
          identity: this.#identity.get(subject) ?? "cluster-0",
        };
      }
      const view: Record<string, readonly EntityResult[] | "unknown"> = {};
      for (const invariant of INVARIANTS) {
        if (random() < 0.03) {
          view[invariant] = "unknown";
          continue;
        }
        const results: EntityResult[] = [];
        for (let e = 0; e < this.entities; e++) {
          const entity = String(e);
          const id = `${subject}/${invariant}/${entity}`;
          if (random() < this.flipRate) {
            if (this.#violated.has(id)) this.#violated.delete(id);
            else this.#violated.add(id);
          }
          if (random() < 0.03) results.push({ entity, outcome: "unknown", reason: "test: no sample" });
          else if (this.#violated.has(id)) {
            const value = Math.floor(random() * 4);
            results.push({ entity, outcome: "violated", message: `${id} at ${value}`, values: { value } });
          } else if (this.withHealth && random() < 0.05) {
            results.push({
              entity,
              outcome: "ok",
              gone: `store ${entity} removed from the cluster (Tombstone)`,
            });
          } else results.push({ entity, outcome: "ok" });
        }
        view[invariant] = results;
      }
      views[subject] = view;
    }
    return views;
  }
}
