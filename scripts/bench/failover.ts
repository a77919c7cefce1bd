import {
  type MonitorProcess,
  sleep,
  startEnvironment,
  startReplicas,
  waitFor,
} from "../../apps/e2e/src/index.ts";
import { startTestPostgres } from "../../packages/db-postgres/src/testing/index.ts";
import { cell, num, type SectionReport } from "./report.ts";
import { summarize } from "./stats.ts";

/** How the failover section runs. */
export interface FailoverOptions {
  /** Leader kills (SIGKILL) measured. */
  readonly kills: number;
  /** Graceful stops (SIGTERM) of the leader measured. */
  readonly stops: number;
  /** The replicas' cycle interval. */
  readonly intervalMs: number;
}

/**
 * Failover of three `operator monitor` replicas on one PostgreSQL (apps/e2e's `startReplicas`) over
 * the simulated cluster and a real Prometheus: the leader is killed (or stopped) `kills` times, a
 * replacement replica started each time, and two times are taken from the replicas' own log lines:
 * until another replica leads the subject, and until its first cycle completes.
 */
export async function benchFailover(options: FailoverOptions): Promise<SectionReport> {
  const env = await startEnvironment({ stores: 3 });
  const pg = await startTestPostgres();
  const leads: Record<"kill" | "stop", number[]> = { kill: [], stop: [] };
  const cycles: Record<"kill" | "stop", number[]> = { kill: [], stop: [] };
  try {
    const set = await startReplicas({
      env,
      db: await pg.createDatabase("bench_failover"),
      subject: "failover",
      intervalMs: options.intervalMs,
    });
    try {
      const plan = [
        ...Array.from({ length: options.kills }, () => "kill" as const),
        ...Array.from({ length: options.stops }, () => "stop" as const),
      ];
      for (const [n, how] of plan.entries()) {
        process.stderr.write(`[bench] failover: ${how} ${n + 1}/${plan.length}\n`);
        const leader: MonitorProcess = await waitFor(() => set.leader(), {
          timeoutMs: 30_000,
          intervalMs: 50,
        });
        await leader.waitForHeartbeat({ timeoutMs: 30_000 });
        await sleep(Math.random() * options.intervalMs);
        const at = Date.now();
        const ended = how === "kill" ? leader.kill() : leader.stop();
        const takeover = await set.waitForTakeover({ not: leader, since: at });
        const beat = await takeover.process.waitForHeartbeat({ timeoutMs: 30_000 });
        leads[how].push(takeover.line.at - at);
        cycles[how].push(beat.at - at);
        await ended;
        set.replace(leader);
      }
    } finally {
      await set.close();
    }
  } finally {
    await env.close();
    await pg.stop();
  }
  const limit = 2 * options.intervalMs;
  const s = (ms: number[]) => summarize(ms.map((v) => v / 1000));
  const kills = summarize(leads.kill);
  return {
    id: "failover",
    title: "Failover of replicas on one PostgreSQL",
    method:
      `Three \`operator monitor\` replicas (interval ${num(options.intervalMs / 1000)} s, lease ${num(options.intervalMs / 1000)} s ` +
      "renewed every quarter) share one PostgreSQL 15 started for the run and watch the simulated cluster " +
      "through a real Prometheus (apps/e2e's `startReplicas`). The leader of the subject (found from the lease " +
      "row) is killed at a random moment of its interval and a replacement started; times are from the signal " +
      "to the line in which another replica says it leads, and to that replica's first completed cycle. " +
      "SIGTERM rows: the leader stops cleanly and releases its lease. Median (min–max).",
    tables: [
      {
        columns: [
          "Leader",
          "Runs",
          "Until another replica leads",
          "Until its first cycle",
          "Limit (two intervals)",
        ],
        rows: (["kill", "stop"] as const)
          .filter((how) => leads[how].length > 0)
          .map((how) => [
            how === "kill" ? "SIGKILL" : "SIGTERM",
            String(leads[how].length),
            cell(s(leads[how]), "s", 2),
            cell(s(cycles[how]), "s", 2),
            `${num(limit / 1000)} s`,
          ]),
      },
    ],
    targets: [
      {
        measure: `Failover after SIGKILL of the leader, interval ${num(options.intervalMs / 1000)} s`,
        target: `another replica leads within two intervals (${num(limit / 1000)} s)`,
        measured: `median ${num(kills.median / 1000, 2)} s, max ${num(kills.max / 1000, 2)} s`,
        met: kills.max <= limit,
      },
    ],
    notes: [],
  };
}
