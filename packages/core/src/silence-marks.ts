import type { Severity } from "./severity.ts";
import { isSilenceActive, type Silence, silenceMatches } from "./silence.ts";
import type { TicketDraft } from "./store.ts";
import { type EventDraft, MONITOR_ACTOR, type Ticket } from "./ticket.ts";
import type { TicketChange } from "./transitions.ts";

interface Covered {
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
  readonly severity: Severity;
}

/**
 * Marks a cycle's tickets silenced or not (rule 15): a ticket opening under an active silence opens
 * silenced (with a `silenced` event after `opened`); an unresolved ticket that a silence starts or stops
 * covering gets `silenced: true|false` and a `silenced`/`unsilenced` event. A ticket resolved this cycle
 * keeps its mark. `open` and `change` are the cycle's plan, returned with the marks added.
 */
export function markSilences(
  silences: readonly Silence[],
  openTickets: ReadonlyMap<string, Ticket>,
  open: readonly TicketDraft[],
  change: readonly TicketChange[],
  now: number,
): { open: TicketDraft[]; change: TicketChange[] } {
  const active = silences.filter((silence) => isSilenceActive(silence, now));
  const covering = (ticket: Covered): Silence[] =>
    active.filter((silence) => silenceMatches(silence, ticket));
  const event = (kind: "silenced" | "unsilenced", comment: string): EventDraft => ({
    at: now,
    actor: MONITOR_ACTOR,
    kind,
    from: null,
    to: null,
    comment,
  });

  const opened = open.map((draft) => {
    const by = active.length === 0 ? [] : covering(draft);
    if (by.length === 0) return draft;
    return { ...draft, silenced: true, events: [...draft.events, event("silenced", silenceNames(by))] };
  });

  const changes = [...change];
  const index = new Map(changes.map((c, i) => [c.id, i]));
  for (const ticket of openTickets.values()) {
    if (active.length === 0 && !ticket.silenced) continue;
    const at = index.get(ticket.id);
    const planned = at === undefined ? undefined : changes[at];
    if (planned?.patch.status === "resolved") continue;
    const severity = planned?.patch.severity ?? ticket.severity;
    const by = covering({ ...ticket, severity });
    const silenced = by.length > 0;
    if (silenced === ticket.silenced) continue;
    const mark = silenced
      ? event("silenced", silenceNames(by))
      : event("unsilenced", "no silence covers it now");
    const merged: TicketChange = planned
      ? { ...planned, patch: { ...planned.patch, silenced }, events: [...planned.events, mark] }
      : { id: ticket.id, patch: { silenced, updatedAt: now }, events: [mark] };
    if (at === undefined) changes.push(merged);
    else changes[at] = merged;
  }
  return { open: opened, change: changes };
}

function silenceNames(silences: readonly Silence[]): string {
  return `silence ${silences.map((s) => s.id).join(", ")}`;
}
