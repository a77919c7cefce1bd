import type { NotificationStore } from "../src/notification-store.ts";
import type { Severity } from "../src/severity.ts";
import type { CyclePlan, TicketDraft, TicketStore } from "../src/store.ts";
import type { Ticket } from "../src/ticket.ts";

/** Opens one ticket per entity of `subject/invariant` (one cycle), each with its `opened` event. */
export async function openTickets(
  store: TicketStore,
  entities: readonly string[],
  at: number,
  { subject = "tikv", invariant = "store_down", severity = "critical" as Severity } = {},
): Promise<readonly Ticket[]> {
  const drafts = entities.map(
    (entity): TicketDraft => ({
      key: `${subject}/${invariant}/${entity}`,
      subject,
      invariant,
      entity,
      severity,
      message: `Store ${entity} is Down`,
      flapping: false,
      firstSeenAt: at,
      lastSeenAt: at,
      occurrenceCount: 1,
      batchKey: `cycle-${at}`,
      values: {},
      createdAt: at,
      events: [{ at, actor: "monitor", kind: "opened", from: null, to: "open", comment: null }],
    }),
  );
  const plan: CyclePlan = {
    upsertStates: [],
    deleteStates: [],
    open: drafts,
    change: [],
    identities: [],
    log: {
      id: `cycle-${at}`,
      startedAt: at,
      finishedAt: at,
      invariants: 1,
      violations: drafts.length,
      unknown: 0,
      opened: drafts.length,
      resolved: 0,
      failures: {},
    },
  };
  return (await store.recordCycle([subject], () => plan)).opened;
}

/** Waits until `check` holds, polling every 10 ms; fails after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The channel's status row. */
export async function statusOf(store: NotificationStore, channel: string) {
  const status = (await store.notificationStatus()).find((s) => s.channel === channel);
  if (!status) throw new Error(`no status for ${channel}`);
  return status;
}
