import { cycleId } from "../src/cycle-id.ts";
import { checkEvaluation } from "../src/evaluation.ts";
import { DEFAULT_FLAP_OPTIONS, type FlapOptions } from "../src/flapping.ts";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { type PlannedCycle, planCycle, type SubjectCycleInput } from "../src/plan-cycle.ts";
import { DEFAULT_SETTINGS } from "../src/settings.ts";
import type { EntityResult, InvariantSettings, ViolatedResult } from "../src/subject.ts";

/** One invariant's answer in a scripted cycle: results, or `{ unknown }`, or disabled. */
export type Answer = readonly EntityResult[] | { unknown: string } | "disabled";

export interface ScriptedSubject {
  readonly name?: string;
  readonly failure?: string;
  readonly sources?: Readonly<Record<string, string | null>>;
  readonly identity?: string;
  readonly invariants: Readonly<Record<string, Answer>>;
}

export const violated = (
  entity: string,
  message = `${entity} is broken`,
  extra: Partial<ViolatedResult> = {},
): ViolatedResult => ({
  entity,
  outcome: "violated",
  message,
  values: { entity },
  ...extra,
});
export const ok = (entity: string): EntityResult => ({ entity, outcome: "ok" });
export const unknown = (entity: string, reason = "metric missing"): EntityResult => ({
  entity,
  outcome: "unknown",
  reason,
});

/**
 * Drives `planCycle` against a real memory store with a manual clock: each `cycle()` is one monitor
 * cycle at the current time; `advance()` moves the clock.
 */
export function harness(
  options: {
    settings?: Readonly<Record<string, Partial<InvariantSettings>>>;
    unreachableAfter?: number;
    flap?: Partial<FlapOptions>;
    start?: number;
  } = {},
) {
  const store = createMemoryTicketStore();
  let now = options.start ?? Date.UTC(2026, 0, 1);
  let sequence = 0;
  const flap = { ...DEFAULT_FLAP_OPTIONS, ...options.flap };
  const plans: PlannedCycle[] = [];

  async function cycle(...subjects: ScriptedSubject[]) {
    const input: SubjectCycleInput[] = subjects.map((subject) => ({
      name: subject.name ?? "db",
      failure: subject.failure ?? null,
      ...(subject.sources ? { sources: subject.sources } : {}),
      ...(subject.identity !== undefined ? { identity: subject.identity } : {}),
      invariants: Object.entries(subject.invariants).map(([name, answer]) => ({
        name,
        settings: { ...DEFAULT_SETTINGS, ...options.settings?.[name] },
        outcome: answer === "disabled" ? { kind: "disabled" as const } : checkEvaluation(answer),
      })),
    }));
    const id = cycleId(now, ++sequence);
    const result = await store.recordCycle(
      input.map((subject) => subject.name),
      (snapshot) => {
        const plan = planCycle(
          { id, startedAt: now, now, subjects: input, unreachableAfter: options.unreachableAfter ?? 3, flap },
          snapshot,
        );
        plans.push(plan);
        return plan;
      },
    );
    return { ...result, id, plan: plans.at(-1) as PlannedCycle };
  }

  return {
    store,
    cycle,
    /** One cycle of subject "db" with one invariant "inv" answering `answer`. */
    step: (answer: Answer) => cycle({ invariants: { inv: answer } }),
    advance(ms: number) {
      now += ms;
    },
    get now() {
      return now;
    },
    /** Unresolved tickets of every key. */
    async open() {
      return (await store.listTickets({ limit: 1000 })).tickets;
    },
    async all() {
      return (await store.listTickets({ includeResolved: true, limit: 1000 })).tickets;
    },
    async events(id: number) {
      return (await store.getTicket(id)).events;
    },
  };
}
