import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { ApiError, apiJson } from "./api.ts";
import { ActionDialog } from "./components/action-dialog.tsx";
import { severityWord, statusWord } from "./components/badges.tsx";
import { FilterForm } from "./components/filters.tsx";
import { MonitorState } from "./components/monitor-state.tsx";
import { TicketList } from "./components/ticket-list.tsx";
import { TicketView } from "./components/ticket-view.tsx";
import { SAVED_TOKEN_REFUSED, TOKEN_REFUSED, TokenForm, TokenHelp } from "./components/token-form.tsx";
import { type Detail, detailFailed, detailReading } from "./detail.ts";
import { type LiveState, openEventStream } from "./event-stream.ts";
import { parseStatus, parseTicketDetail, parseTicketPage } from "./parse.ts";
import {
  ACTION_WORDS,
  compareTickets,
  type Filters,
  filtersFromQuery,
  filtersToQuery,
  ticketsUrl,
  upsertTicket,
} from "./tickets.ts";
import { loadToken, saveToken } from "./token.ts";
import type { FeedItem, StatusJson, TicketAction, TicketJson } from "./types.ts";

/** How often the monitor's state is read again, besides after each live event. */
const STATUS_REFRESH_MS = 10_000;
/** How often relative times are redrawn. */
const CLOCK_TICK_MS = 5000;

interface ListState {
  readonly tickets: readonly TicketJson[];
  readonly next: string | null;
  readonly loading: boolean;
  readonly error: string | null;
}

/** The whole page: header, monitor state, the filtered ticket list and the selected ticket. */
export function App() {
  const [token, setTokenState] = useState<string | null>(() => loadToken());
  const [needsToken, setNeedsToken] = useState<string | null>(null);
  const [filters, setFilters] = useState<Filters>(() => filtersFromQuery(location.search));
  const [list, setList] = useState<ListState>({ tickets: [], next: null, loading: true, error: null });
  const [listVersion, setListVersion] = useState(0);
  const [selectedId, setSelectedId] = useState<number | null>(() => _idFromHash(location.hash));
  const [detail, setDetail] = useState<Detail>({ phase: "none" });
  const [detailVersion, setDetailVersion] = useState(0);
  const [status, setStatus] = useState<StatusJson | null>(null);
  const [statusError, setStatusError] = useState<string | null>(null);
  const [statusVersion, setStatusVersion] = useState(0);
  const [live, setLive] = useState<LiveState>("connecting");
  const [announcement, setAnnouncement] = useState("");
  const [dialog, setDialog] = useState<{ ticket: TicketJson; action: TicketAction } | null>(null);
  const [invariants, setInvariants] = useState<readonly string[]>([]);
  const now = useNow();

  const filtersRef = useRef(filters);
  filtersRef.current = filters;
  const selectedRef = useRef(selectedId);
  selectedRef.current = selectedId;

  const setToken = useCallback((value: string | null) => {
    saveToken(value);
    setTokenState(value);
  }, []);

  /** The token was just typed into the page's token form (not one saved earlier in this tab). */
  const tokenIsFresh = useRef(false);
  /** A read answered 401: ask for the token in the page, saying why. */
  const readRefused = useCallback(
    (sentToken: string | null) => {
      if (sentToken !== null) setToken(null);
      const refused = tokenIsFresh.current ? TOKEN_REFUSED : SAVED_TOKEN_REFUSED;
      // A read without a token (the one after forgetting a refused token, say) keeps the message.
      setNeedsToken((previous) => (sentToken !== null ? refused : (previous ?? "")));
    },
    [setToken],
  );

  useEffect(() => {
    const onHash = () => setSelectedId(_idFromHash(location.hash));
    addEventListener("hashchange", onHash);
    return () => removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    const url = `${location.pathname}${filtersToQuery(filters)}${location.hash}`;
    history.replaceState(null, "", url);
  }, [filters]);

  // The first page of the list, again whenever the filters or the token change.
  useEffect(() => {
    const abort = new AbortController();
    setList((previous) => ({ ...previous, loading: true, error: null }));
    apiJson(ticketsUrl(filters, null), { token, signal: abort.signal })
      .then((body) => {
        const page = parseTicketPage(body);
        if (!page)
          throw new ApiError(200, "Unreadable answer", "The ticket list was not in the expected shape.");
        setNeedsToken(null);
        setList({ tickets: page.tickets.sort(compareTickets), next: page.next, loading: false, error: null });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        if (error instanceof ApiError && error.unauthorized) readRefused(token);
        setList({ tickets: [], next: null, loading: false, error: _describe(error) });
      });
    return () => abort.abort();
  }, [filters, token, listVersion, readRefused]);

  const loadMore = useCallback(() => {
    if (list.next === null) return;
    setList((previous) => ({ ...previous, loading: true }));
    apiJson(ticketsUrl(filters, list.next), { token })
      .then((body) => {
        const page = parseTicketPage(body);
        if (!page)
          throw new ApiError(200, "Unreadable answer", "The ticket list was not in the expected shape.");
        setList((previous) => {
          const known = new Set(previous.tickets.map((t) => t.id));
          const tickets = [...previous.tickets, ...page.tickets.filter((t) => !known.has(t.id))];
          return { tickets: tickets.sort(compareTickets), next: page.next, loading: false, error: null };
        });
      })
      .catch((error: unknown) =>
        setList((previous) => ({ ...previous, loading: false, error: _describe(error) })),
      );
  }, [filters, list.next, token]);

  useEffect(() => {
    const seen = new Set(invariants);
    const fresh = list.tickets.map((t) => t.invariant).filter((name) => !seen.has(name));
    if (fresh.length > 0) setInvariants([...seen, ...fresh].sort());
  }, [list.tickets, invariants]);

  // The selected ticket with its history.
  useEffect(() => {
    if (selectedId === null) {
      setDetail({ phase: "none" });
      return;
    }
    const abort = new AbortController();
    setDetail((previous) => detailReading(previous, selectedId));
    apiJson(`/api/v1/tickets/${selectedId}`, { token, signal: abort.signal })
      .then((body) => {
        const ticket = parseTicketDetail(body);
        if (!ticket)
          throw new ApiError(200, "Unreadable answer", "The ticket was not in the expected shape.");
        setDetail({ phase: "ready", ticket });
      })
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        if (error instanceof ApiError && error.unauthorized) readRefused(token);
        const gone = error instanceof ApiError && error.status === 404;
        const message = gone ? `There is no ticket #${selectedId}.` : _describe(error);
        setDetail((previous) => detailFailed(previous, selectedId, message, gone));
      });
    return () => abort.abort();
  }, [selectedId, token, detailVersion, readRefused]);

  // The monitor's state, now and then and after live events.
  useEffect(() => {
    const abort = new AbortController();
    const load = () =>
      apiJson("/api/v1/status", { token, signal: abort.signal })
        .then((body) => {
          const parsed = parseStatus(body);
          if (!parsed)
            throw new ApiError(200, "Unreadable answer", "The status was not in the expected shape.");
          setStatus(parsed);
          setStatusError(null);
        })
        .catch((error: unknown) => {
          if (abort.signal.aborted) return;
          setStatusError(
            error instanceof ApiError && error.unauthorized ? "it needs a token." : _describe(error),
          );
        });
    void load();
    const timer = setInterval(load, STATUS_REFRESH_MS);
    return () => {
      abort.abort();
      clearInterval(timer);
    };
  }, [token, statusVersion]);

  // Live updates.
  useEffect(() => {
    const abort = new AbortController();
    let statusTimer: ReturnType<typeof setTimeout> | undefined;
    let firstLive = true;
    const onItem = (item: FeedItem) => {
      setList((previous) => ({
        ...previous,
        tickets: upsertTicket(previous.tickets, item.ticket, filtersRef.current),
      }));
      if (item.ticket.id === selectedRef.current) setDetailVersion((v) => v + 1);
      setAnnouncement(_announce(item));
      clearTimeout(statusTimer);
      statusTimer = setTimeout(() => setStatusVersion((v) => v + 1), 1000);
    };
    const onState = (state: LiveState) => {
      setLive(state);
      // Events committed between the first list read and the stream's start are not in the stream.
      if (state === "live" && firstLive) {
        firstLive = false;
        setListVersion((v) => v + 1);
      }
    };
    void openEventStream(token, { onItem, onState }, abort.signal);
    return () => {
      abort.abort();
      clearTimeout(statusTimer);
    };
  }, [token]);

  const onActionDone = useCallback(
    (ticket: TicketJson) => {
      const action = dialog?.action;
      setDialog(null);
      setList((previous) => ({
        ...previous,
        tickets: upsertTicket(previous.tickets, ticket, filtersRef.current),
      }));
      setDetailVersion((v) => v + 1);
      if (action) setAnnouncement(`Ticket #${ticket.id} ${ACTION_WORDS[action].done}.`);
      // The button that opened the dialog may be gone (Hold became Unhold): keep focus on the ticket.
      requestAnimationFrame(() => document.getElementById("ticket-heading")?.focus());
    },
    [dialog],
  );

  const subjects = useMemo(() => (status?.subjects ?? []).map((s) => s.name), [status]);

  return (
    <>
      <a class="skip" href="#tickets-heading">
        Skip to the tickets
      </a>
      <header class="top">
        <div class="brand">
          <img src="/assets/icon.svg" alt="" width="28" height="28" />
          <h1>Operator</h1>
        </div>
        <div class="top-right">
          <span class={`live live-${live}`}>
            <span class="live-dot" aria-hidden="true" />
            {_liveText(live)}
          </span>
          {token !== null && (
            <button type="button" class="button button-small" onClick={() => setToken(null)}>
              Forget token
            </button>
          )}
        </div>
      </header>
      <div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">
        {announcement}
      </div>
      {needsToken !== null && (
        <section class="panel token-panel" aria-labelledby="token-heading">
          <h2 id="token-heading">This server needs a token to show tickets</h2>
          <TokenHelp />
          <TokenForm
            idPrefix="read"
            refused={needsToken || null}
            busy={false}
            submitLabel="Save token"
            onSubmit={(value) => {
              tokenIsFresh.current = true;
              setNeedsToken(null);
              setToken(value);
            }}
          />
        </section>
      )}
      <main class={`layout ${selectedId !== null ? "has-selection" : ""}`}>
        <div class="column-list">
          <MonitorState status={status} error={statusError} now={now} />
          <section class="panel tickets" aria-labelledby="tickets-heading">
            <h2 id="tickets-heading" tabIndex={-1}>
              Tickets
            </h2>
            <FilterForm filters={filters} subjects={subjects} invariants={invariants} onChange={setFilters} />
            {list.error && (
              <p class="notice notice-error" role="alert">
                Cannot show tickets: {list.error}
              </p>
            )}
            <TicketList
              tickets={list.tickets}
              selectedId={selectedId}
              now={now}
              loading={list.loading}
              hasMore={list.next !== null}
              onMore={loadMore}
            />
          </section>
        </div>
        <div class="column-detail">
          {detail.phase === "none" && (
            <p class="panel muted placeholder">Choose a ticket to see its history and act on it.</p>
          )}
          {detail.phase === "loading" && <p class="panel muted">Loading ticket #{detail.id}…</p>}
          {detail.phase === "error" && (
            <div class="panel">
              <a class="back" href="#/">
                ← All tickets
              </a>
              <p class="notice notice-error" role="alert">
                {detail.message}
              </p>
            </div>
          )}
          {detail.phase === "ready" && (
            <div class="panel">
              {detail.stale && (
                <p class="notice notice-error" role="alert">
                  This is the ticket as last read; reading it again failed: {detail.stale}
                </p>
              )}
              <TicketView
                ticket={detail.ticket}
                now={now}
                onAction={(action) => setDialog({ ticket: detail.ticket, action })}
              />
            </div>
          )}
        </div>
      </main>
      {dialog && (
        <ActionDialog
          ticket={dialog.ticket}
          action={dialog.action}
          token={token}
          onToken={setToken}
          onDone={onActionDone}
          onClose={() => setDialog(null)}
        />
      )}
    </>
  );
}

/** The current time, redrawn every few seconds so that relative times move on. */
function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), CLOCK_TICK_MS);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function _idFromHash(hash: string): number | null {
  const match = /^#\/tickets\/(\d{1,15})$/.exec(hash);
  return match ? Number(match[1]) : null;
}

function _liveText(state: LiveState): string {
  switch (state) {
    case "live":
      return "Live";
    case "connecting":
      return "Connecting…";
    case "reconnecting":
      return "Reconnecting…";
    case "unauthorized":
      return "Live updates need a token";
  }
}

function _announce(item: FeedItem): string {
  const { event, ticket } = item;
  if (event.kind === "opened")
    return `New ${severityWord(ticket.severity)} ticket #${ticket.id}: ${ticket.key}.`;
  if (event.kind === "resolved") return `Ticket #${ticket.id} resolved: ${ticket.key}.`;
  return `Ticket #${ticket.id} ${event.kind.replaceAll("_", " ")} by ${event.actor}; it is ${statusWord(ticket.status)}.`;
}

function _describe(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.unauthorized) return "the server needs a valid token.";
    return `${error.title}${error.detail ? `: ${error.detail}` : ""}`;
  }
  return (error as Error).message;
}
