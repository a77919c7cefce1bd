import type { CycleReport, Monitor } from "@operator/core";
import type { StatusProvider, SubjectStatus } from "@operator/http";
import type { CliStore } from "./open-store.ts";

/**
 * `GET /status` in the daemon: the subjects the loop watches now, with the last cycle's end and
 * unknown results (whole subjects that could not be read, invariants that could not be evaluated,
 * single keys), and when the next cycle is due: one interval after the last one started, or at once
 * when it overran. Counts come from the database.
 */
export function loopStatus(
  monitor: () => Monitor | undefined,
  store: CliStore,
  intervalMs: number,
): StatusProvider {
  return {
    async subjects() {
      const current = monitor();
      if (current === undefined) return [];
      const last = current.lastCycle;
      return current.subjects.map((subject): SubjectStatus => {
        if (last === undefined) {
          return {
            name: subject.name,
            kind: subject.kind,
            lastCycleAt: null,
            nextCycleAt: null,
            unknown: [],
          };
        }
        const endedAt = last.startedAt + last.durationMs;
        return {
          name: subject.name,
          kind: subject.kind,
          lastCycleAt: Math.round(endedAt),
          nextCycleAt: Math.round(Math.max(last.startedAt + intervalMs, endedAt)),
          unknown: unknownOf(last, subject.name),
        };
      });
    },
    counts: () => store.ticketCounts(),
  };
}

/**
 * `GET /status` for `operator serve`, which runs no loop: the subjects the database knows, the end of
 * the last cycle it logged, and the subjects that cycle could not read. The kind, the next cycle and
 * finer unknown results are not stored: null or empty.
 */
export function storedStatus(store: CliStore): StatusProvider {
  return {
    async subjects() {
      const [names, [last]] = [await store.knownSubjects(), await store.recentCycles(1)];
      const failures = last?.failures ?? {};
      const all = [...new Set([...names, ...Object.keys(failures)])].sort();
      return all.map((name) => ({
        name,
        kind: null,
        lastCycleAt: last?.finishedAt ?? null,
        nextCycleAt: null,
        unknown: failures[name] !== undefined ? [{ key: name, reason: failures[name] }] : [],
      }));
    },
    counts: () => store.ticketCounts(),
  };
}

// --- Internal helpers ---

function unknownOf(report: CycleReport, subject: string): { key: string; reason: string }[] {
  const out: { key: string; reason: string }[] = [];
  for (const finding of report.findings) {
    if (finding.subject !== subject || finding.outcome !== "unknown") continue;
    out.push({ key: finding.key ?? `${finding.subject}/${finding.invariant}`, reason: finding.reason });
  }
  if (out.length === 0 && report.failures[subject] !== undefined) {
    out.push({ key: subject, reason: report.failures[subject] });
  }
  return out;
}
