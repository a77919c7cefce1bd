import { afterAll, describe, expect, it } from "vitest";
import { checkSubject, RESERVED_INVARIANTS } from "../check-subject.ts";
import { checkEvaluation } from "../evaluation.ts";
import { assertName } from "../key.ts";
import { isSeverity } from "../severity.ts";
import type { EntityResult, Invariant, Subject } from "../subject.ts";
import { readSubjectHealth } from "../subject-health.ts";
import { UNREACHABLE_INVARIANT } from "../unreachable.ts";
import { manualClock, runCycles } from "./run-cycles.ts";

/** Options of {@link testSubject}. Give one of `create`, `subject` or `factory` with `options`. */
export interface TestSubjectOptions<O = unknown, Options = unknown> {
  /** Title of the test block. @default the subject's kind */
  readonly name?: string;
  /** Builds the subject under test; called once per test, disposed after the suite. */
  readonly create?: () => Subject<O> | Promise<Subject<O>>;
  /** The subject under test, if it can be shared by all tests. */
  readonly subject?: Subject<O>;
  /** The plugin's factory, called with `options`. */
  readonly factory?: (options: Options) => Subject<O>;
  readonly options?: Options;
  /**
   * Builds the same kind of subject pointed at something that cannot be read (e.g. port 1 on
   * 127.0.0.1). Enables the checks that a failed read is `unknown`, never an all-clear.
   */
  readonly unreachable?: () => Subject<O> | Promise<Subject<O>>;
  /** An observation to evaluate instead of a live `observe()` (for plugins tested without a server). */
  readonly observation?: O | (() => O | Promise<O>);
  /** How soon `observe` must settle once its signal is aborted. @default 5_000 */
  readonly abortWithinMs?: number;
  /** Per-test timeout. @default 60_000 */
  readonly timeoutMs?: number;
  /** Registers the plugin's own tests inside the same block. */
  readonly additionalTests?: (context: TestSubjectContext<O>) => void;
}

/** What {@link TestSubjectOptions.additionalTests} gets. */
export interface TestSubjectContext<O> {
  /** A subject under test (disposed after the suite). */
  subject(): Promise<Subject<O>>;
  /** An observation: the given one, or a live read with a fresh signal. */
  observation(): Promise<O>;
}

/**
 * Registers the subject-plugin conformance suite with vitest: name and kind, declared invariants and
 * their defaults, well-shaped results on a real observation, abort handling, and (with `unreachable`)
 * that a subject that cannot be read yields `unknown` through a real monitor cycle: nothing opened,
 * nothing resolved, and `subject_unreachable` after three failed cycles.
 *
 * @example
 * testSubject({
 *   name: "tikv",
 *   create: () => tikvSubject({ name: "test", pdUrl, prometheusUrl }),
 *   unreachable: () => tikvSubject({ name: "test", pdUrl: "http://127.0.0.1:1", prometheusUrl: "http://127.0.0.1:1" }),
 * });
 */
export function testSubject<O, Options = unknown>(options: TestSubjectOptions<O, Options>): void {
  const created: Subject<O>[] = [];
  const track = async (build: () => Subject<O> | Promise<Subject<O>>) => {
    const subject = await build();
    if (subject !== options.subject) created.push(subject);
    return subject;
  };
  const make = () => track(builder(options));
  const abortWithinMs = options.abortWithinMs ?? 5_000;
  const timeout = options.timeoutMs ?? 60_000;
  const observation = async (): Promise<O> => {
    if (options.observation !== undefined) {
      const given = options.observation;
      return typeof given === "function" ? await (given as () => O | Promise<O>)() : given;
    }
    const subject = await make();
    return subject.observe({ signal: new AbortController().signal, deadline: Date.now() + timeout });
  };
  const title = options.name ?? options.subject?.kind ?? "subject";

  describe(`${title}: subject conformance`, () => {
    afterAll(async () => {
      for (const subject of created.splice(0)) await subject.dispose?.();
    });

    it("has a valid name and kind", async () => {
      const subject = await make();
      expect(() => assertName("subject", subject.name)).not.toThrow();
      expect(subject.kind).toMatch(/^[a-z0-9][a-z0-9._-]*$/);
      expect(typeof subject.observe).toBe("function");
    });

    it("declares invariants with unique valid names and a description", async () => {
      const { invariants } = await make();
      expect(invariants.length).toBeGreaterThan(0);
      const names = invariants.map((invariant) => invariant.name);
      expect(new Set(names).size).toBe(names.length);
      for (const reserved of RESERVED_INVARIANTS) expect(names).not.toContain(reserved);
      for (const invariant of invariants) {
        expect(() => assertName("invariant", invariant.name)).not.toThrow();
        expect(invariant.description.trim()).not.toBe("");
        expect(typeof invariant.evaluate).toBe("function");
      }
    });

    it("declares valid default settings", async () => {
      const subject = await make();
      for (const { name, defaults } of subject.invariants) {
        expect(typeof defaults.enabled, name).toBe("boolean");
        expect(isSeverity(defaults.severity), `${name}: severity ${defaults.severity}`).toBe(true);
        for (const value of [defaults.forMs, defaults.clearMs, ...Object.values(defaults.thresholds)]) {
          expect(Number.isFinite(value), `${name}: ${value}`).toBe(true);
        }
        expect(Math.min(defaults.forMs, defaults.clearMs), name).toBeGreaterThanOrEqual(0);
      }
      expect(() => checkSubject(subject as Subject)).not.toThrow();
    });

    it(
      "evaluates a real observation into well-shaped results",
      async () => {
        const subject = await make();
        const observed = await observation();
        for (const invariant of subject.invariants) {
          const outcome = checkEvaluation(invariant.evaluate(observed, invariant.defaults));
          expect(
            outcome,
            `${invariant.name}: ${outcome.kind === "unknown" ? outcome.reason : ""}`,
          ).not.toHaveProperty("fault");
          if (outcome.kind === "results") {
            for (const result of outcome.results)
              expect(() => JSON.stringify(valuesOf(result))).not.toThrow();
          }
        }
      },
      timeout,
    );

    it(
      "reports its sources and identity (when it declares them) in the shape the monitor accepts",
      async () => {
        const subject = await make();
        const health = readSubjectHealth(subject, await observation());
        expect(health.ok ? null : health.failure).toBeNull();
        if (health.ok && subject.sources) expect(health.sources).toBeDefined();
      },
      timeout,
    );

    it(
      "rejects promptly when its signal is already aborted",
      async () => {
        const subject = await make();
        const controller = new AbortController();
        controller.abort(new Error("conformance: aborted before the read"));
        const settled = await settleWithin(
          subject.observe({ signal: controller.signal, deadline: Date.now() }),
          abortWithinMs,
        );
        expect(settled, "observe() must reject when its signal is already aborted").toBe("rejected");
      },
      timeout,
    );

    it(
      "settles promptly when its signal aborts during the read",
      async () => {
        const subject = await make();
        const controller = new AbortController();
        const read = subject.observe({ signal: controller.signal, deadline: Date.now() + timeout });
        setTimeout(() => controller.abort(new Error("conformance: aborted during the read")), 0);
        const settled = await settleWithin(read, abortWithinMs);
        expect(settled, `observe() must settle within ${abortWithinMs}ms of an abort`).not.toBe("pending");
      },
      timeout,
    );

    it.skipIf(!options.unreachable)(
      "a subject that cannot be read is unknown through a monitor cycle: nothing opens, nothing resolves",
      async () => {
        const down = await track(options.unreachable as () => Subject<O>);
        const clock = manualClock();
        const enabled = down.invariants.filter((invariant) => invariant.defaults.enabled);
        const longestFor = Math.max(0, ...enabled.map((invariant) => invariant.defaults.forMs));
        const probe = probeSubject(down);
        const intervalMs = Math.max(longestFor, 1_000);
        const { store } = await runCycles({ subjects: probe, cycles: 2, intervalMs, clock });
        const probed = (await store.listTickets()).tickets;
        expect(probed).toHaveLength(enabled.length);

        clock.advance(60_000);
        const { reports } = await runCycles({
          subjects: down as Subject,
          cycles: 3,
          store,
          clock,
          intervalMs: timeout,
        });
        for (const report of reports) {
          expect(
            report.failures[down.name],
            "observe() must reject when the system cannot be read",
          ).toBeTruthy();
          expect(report.resolved).toEqual([]);
          expect(report.unknown).toBe(enabled.length);
        }
        expect(reports.slice(0, 2).flatMap((report) => report.opened)).toEqual([]);
        expect(reports[2]?.opened.map((ticket) => ticket.invariant)).toEqual([UNREACHABLE_INVARIANT]);
        const open = (await store.listTickets()).tickets;
        expect(open.filter((ticket) => probed.some((p) => p.id === ticket.id))).toHaveLength(probed.length);
      },
      timeout * 4,
    );

    it.skipIf(options.subject !== undefined)("can be disposed", async () => {
      const subject = await builder(options)();
      await expect(Promise.resolve(subject.dispose?.())).resolves.toBeUndefined();
    });

    options.additionalTests?.({ subject: make, observation });
  });
}

// --- Internal helpers ---

function builder<O, Options>(
  options: TestSubjectOptions<O, Options>,
): () => Subject<O> | Promise<Subject<O>> {
  if (options.create) return options.create;
  if (options.subject) {
    const subject = options.subject;
    return () => subject;
  }
  if (options.factory) {
    const factory = options.factory;
    return () => factory(options.options as Options);
  }
  throw new Error("testSubject needs one of `create`, `subject` or `factory`");
}

/** A copy of `subject` whose enabled invariants always see their entity `conformance-probe` violated. */
function probeSubject<O>(subject: Subject<O>): Subject {
  const invariants: Invariant<unknown>[] = subject.invariants.map((invariant) => ({
    ...invariant,
    evaluate: (): EntityResult[] => [
      { entity: "conformance-probe", outcome: "violated", message: "conformance probe", values: {} },
    ],
  }));
  return { name: subject.name, kind: subject.kind, invariants, observe: async () => null };
}

function valuesOf(result: EntityResult): unknown {
  return result.outcome === "violated" ? result.values : null;
}

async function settleWithin(
  promise: Promise<unknown>,
  ms: number,
): Promise<"resolved" | "rejected" | "pending"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<"pending">((resolve) => {
    timer = setTimeout(() => resolve("pending"), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => "resolved" as const,
        () => "rejected" as const,
      ),
      pending,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
