import type { SubjectLease, TicketFeedItem } from "@operator/core";
import { openPostgresTicketStore, type PostgresTicketStore } from "@operator/db-postgres";
import { onCleanup } from "./cleanup.ts";
import type { Environment } from "./harness.ts";
import { DEFAULT_RATE_WINDOW } from "./harness.ts";
import { type InvariantOverridesConfig, writeMonitorConfig } from "./monitor-config.ts";
import { type MonitorProcess, type OutputLine, startMonitorProcess } from "./monitor-process.ts";
import { type ListedTicket, listTickets } from "./operator-cli.ts";
import { waitFor } from "./wait.ts";

/** How to start replicas of one daemon on one PostgreSQL database. */
export interface ReplicaSetOptions {
  readonly env: Environment;
  /** The database URL (`postgres://...`) every replica shares. */
  readonly db: string;
  /** The subject's name. */
  readonly subject: string;
  /** Replicas. @default 3 */
  readonly replicas?: number;
  /** Cycle interval. @default 1500 */
  readonly intervalMs?: number;
  readonly invariants?: InvariantOverridesConfig;
  /** PD's URL as the replicas are given it. @default the cluster's PD */
  readonly pdUrl?: string;
}

/** When a replica became the leader of the subject, by the line it printed. */
export interface Takeover {
  readonly process: MonitorProcess;
  readonly line: OutputLine;
}

/** Replicas of the daemon sharing one PostgreSQL database, with what they wrote there. */
export interface ReplicaSet {
  readonly subject: string;
  readonly intervalMs: number;
  /** The running replicas (a replaced one leaves the list). */
  readonly processes: readonly MonitorProcess[];
  /** The replica whose lease of the subject is live now, if any. */
  leader(): Promise<MonitorProcess | undefined>;
  /** Waits for a replica other than `not` to print that it leads the subject after `since`. */
  waitForTakeover(options: { not?: MonitorProcess; since: number; timeoutMs?: number }): Promise<Takeover>;
  /** Starts a new replica in place of `old` (which must have exited). */
  replace(old: MonitorProcess): MonitorProcess;
  /** Every ticket, through `operator tickets list --json --all --db URL`. */
  tickets(): Promise<ListedTicket[]>;
  /** Every history event, oldest first, each with its ticket, read from the database. */
  events(): Promise<TicketFeedItem[]>;
  /** The subject's lease as stored. */
  lease(): Promise<SubjectLease | undefined>;
  /** Stops every replica (SIGTERM) and closes the database reader. */
  close(): Promise<void>;
}

/** Starts the replicas (waiting until one of them completed a cycle). */
export async function startReplicas(options: ReplicaSetOptions): Promise<ReplicaSet> {
  const { env, db, subject } = options;
  const intervalMs = options.intervalMs ?? 1500;
  const configPath = await writeMonitorConfig(env.dir, {
    subject,
    pdUrl: options.pdUrl ?? env.cluster.pdUrl,
    prometheusUrl: env.prometheus.url,
    subjectOptions: { rateWindow: DEFAULT_RATE_WINDOW },
    ...(options.invariants ? { invariants: options.invariants } : {}),
  });
  const reader: PostgresTicketStore = await openPostgresTicketStore(db, { readonly: false });
  const processes: MonitorProcess[] = [];
  const launch = () => {
    const process = startMonitorProcess({ dbPath: db, configPath, intervalMs });
    processes.push(process);
    return process;
  };
  for (let i = 0; i < (options.replicas ?? 3); i++) launch();
  const unregister = onCleanup(() => set.close());
  const leading = new RegExp(`Leading subject "${subject}"`);

  const lease = async () => (await reader.listLeases()).find((l) => l.subject === subject);
  const set: ReplicaSet = {
    subject,
    intervalMs,
    processes,
    async leader() {
      const current = await lease();
      if (current === undefined) return undefined;
      const pid = Number(current.holder.split(":").at(-2));
      return processes.find((p) => p.pid === pid && p.exit === undefined);
    },
    waitForTakeover({ not, since, timeoutMs = 30_000 }) {
      return waitFor(
        () => {
          for (const process of processes) {
            if (process === not) continue;
            const line = process.output.find((l) => l.at >= since && leading.test(l.text));
            if (line) return { process, line };
          }
          return undefined;
        },
        { timeoutMs, intervalMs: 50, description: `a replica leading "${subject}"` },
      );
    },
    replace(old) {
      const index = processes.indexOf(old);
      if (index >= 0) processes.splice(index, 1);
      return launch();
    },
    tickets: () => listTickets(db),
    async events() {
      const items: TicketFeedItem[] = [];
      for (;;) {
        const page = await reader.listEventsAfter(items.at(-1)?.event.id ?? 0, 1000);
        items.push(...page);
        if (page.length < 1000) return items;
      }
    },
    lease,
    async close() {
      unregister();
      await Promise.allSettled(processes.map((p) => p.stop(15_000)));
      await reader.close();
    },
  };
  await waitFor(() => processes.some((p) => p.heartbeats().length > 0), {
    timeoutMs: 60_000,
    intervalMs: 100,
    description: () =>
      `a first cycle by one of the replicas\n${processes.map((p) => p.transcript()).join("\n---\n")}`,
  });
  return set;
}

/**
 * What is wrong with a history, if anything: per ticket exactly one `opened` event and first, at
 * most one `resolved` event and last, a resolved ticket with its `resolved` event, and no event
 * written twice (same kind, values and time). Empty when the history is whole.
 */
export function historyProblems(
  items: readonly TicketFeedItem[],
  tickets: readonly ListedTicket[],
): string[] {
  const problems: string[] = [];
  const byTicket = new Map<number, TicketFeedItem["event"][]>();
  for (const { event } of items)
    byTicket.set(event.ticketId, [...(byTicket.get(event.ticketId) ?? []), event]);
  for (const ticket of tickets) {
    const events = byTicket.get(ticket.id) ?? [];
    const kinds = events.map((e) => e.kind);
    if (kinds[0] !== "opened" || kinds.filter((k) => k === "opened").length !== 1) {
      problems.push(
        `ticket ${ticket.id} (${ticket.key}): events ${kinds.join(",")} do not start with one "opened"`,
      );
    }
    const resolved = kinds.filter((k) => k === "resolved").length;
    if (resolved > 1 || (resolved === 1 && kinds.at(-1) !== "resolved")) {
      problems.push(`ticket ${ticket.id} (${ticket.key}): events ${kinds.join(",")}`);
    }
    if ((ticket.status === "resolved") !== (resolved === 1)) {
      problems.push(
        `ticket ${ticket.id} (${ticket.key}) is ${ticket.status} with ${resolved} resolved event(s)`,
      );
    }
    const seen = new Set<string>();
    for (const e of events) {
      const id = JSON.stringify([e.kind, e.from, e.to, e.comment, e.at]);
      if (seen.has(id))
        problems.push(`ticket ${ticket.id} (${ticket.key}): event ${e.kind} at ${e.at} twice`);
      seen.add(id);
    }
  }
  return problems;
}
