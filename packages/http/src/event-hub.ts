import {
  eventToJson,
  type Logger,
  MAX_FEED_PAGE,
  silentLogger,
  type TicketFeedItem,
  type TicketStore,
  ticketToJson,
} from "@operator/core";

/** One event ready to send: its id and its `data` line, serialised once for every client. */
export interface FeedMessage {
  readonly id: number;
  readonly data: string;
}

/** Options of {@link createEventHub}. */
export interface EventHubOptions {
  /** How often the store's feed is read while clients are connected. @default 250 */
  readonly pollMs?: number;
  readonly logger?: Logger;
}

/** A connected client of the hub. */
export interface FeedClient {
  /** Called with each batch of events for this client, in id order. */
  readonly send: (messages: readonly FeedMessage[]) => void;
  /** Resolves when the client can take more; a resuming client's catch-up waits for it between pages. */
  readonly ready?: () => Promise<void>;
}

/** A subscription: stop it when the client goes away. */
export interface FeedSubscription {
  close(): void;
}

/**
 * Fans the store's event feed out to any number of clients with ONE poll of the store, whatever the
 * number of clients; each event is serialised once. A client that resumes (an id it saw) first
 * catches up with reads of its own, then joins the shared poll. Polls run only while a client is
 * connected; a failed read is logged and retried at the next poll (clients keep their place).
 */
export interface EventHub {
  /**
   * Subscribes a client from `afterId` (the last event it saw), or from now when undefined.
   * Resolves once the client is registered (its catch-up, if any, runs on).
   */
  subscribe(afterId: number | undefined, client: FeedClient): Promise<FeedSubscription>;
  /** Connected clients. */
  readonly clients: number;
  /** Stops polling and forgets every client. */
  close(): void;
}

const CATCH_UP_PAGE = 500;

/** Creates an {@link EventHub} over `store`. */
export function createEventHub(store: TicketStore, options: EventHubOptions = {}): EventHub {
  const pollMs = options.pollMs ?? 250;
  const logger = options.logger ?? silentLogger;
  const live = new Set<Client>();
  let head: number | undefined;
  let headKnown: Promise<number> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let closed = false;
  let failing = false;
  /** Bumped whenever the last client leaves: a read begun before then must not set the head. */
  let generation = 0;

  interface Client {
    readonly send: FeedClient["send"];
    readonly ready: () => Promise<void>;
    cursor: number;
    catchingUp: boolean;
    gone: boolean;
  }

  const deliver = (client: Client, messages: readonly FeedMessage[]) => {
    const fresh = messages.filter((m) => m.id > client.cursor);
    if (fresh.length === 0) return;
    client.cursor = (fresh.at(-1) as FeedMessage).id;
    client.send(fresh);
  };

  async function knownHead(): Promise<number> {
    if (head !== undefined) return head;
    const started = generation;
    headKnown ??= latestEventId(store).then((id) => {
      if (started === generation) head = Math.max(head ?? 0, id);
      return Math.max(head ?? 0, id);
    });
    try {
      return await headKnown;
    } finally {
      headKnown = undefined;
    }
  }

  async function poll(): Promise<void> {
    if (polling || closed || live.size === 0) return;
    polling = true;
    const started = generation;
    try {
      const from = await knownHead();
      let after = from;
      for (;;) {
        const items = await store.listEventsAfter(after, MAX_FEED_PAGE);
        if (items.length === 0 || started !== generation) break;
        const messages = items.map(toMessage);
        after = (messages.at(-1) as FeedMessage).id;
        head = after;
        for (const client of live) if (!client.catchingUp && !client.gone) deliver(client, messages);
        if (items.length < MAX_FEED_PAGE) break;
      }
      if (failing) logger.info("Event feed readable again");
      failing = false;
    } catch (error) {
      if (!failing) logger.warn(`Cannot read the event feed: ${(error as Error).message}; retrying`);
      failing = true;
    } finally {
      polling = false;
      schedule();
    }
  }

  function schedule(): void {
    if (closed || live.size === 0 || timer !== undefined) return;
    timer = setTimeout(() => {
      timer = undefined;
      void poll();
    }, pollMs);
    timer.unref?.();
  }

  async function catchUp(client: Client): Promise<void> {
    while (!client.gone && !closed) {
      let items: readonly TicketFeedItem[];
      try {
        items = await store.listEventsAfter(client.cursor, CATCH_UP_PAGE);
      } catch (error) {
        logger.warn(`Cannot read the event feed for a resuming client: ${(error as Error).message}`);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        continue;
      }
      if (client.gone) return;
      deliver(client, items.map(toMessage));
      await client.ready();
      if (items.length < CATCH_UP_PAGE && client.cursor >= (head ?? 0)) {
        client.catchingUp = false;
        return;
      }
    }
  }

  return {
    async subscribe(afterId, feedClient) {
      const now = await knownHead();
      const client: Client = {
        send: feedClient.send,
        ready: feedClient.ready ?? (() => Promise.resolve()),
        // An id past the newest (a database replaced since the client's last event) resumes from now.
        cursor: afterId === undefined ? now : Math.min(afterId, now),
        catchingUp: afterId !== undefined && afterId < now,
        gone: false,
      };
      live.add(client);
      if (client.catchingUp) void catchUp(client);
      schedule();
      return {
        close() {
          client.gone = true;
          live.delete(client);
          // No client, no polls: the head goes stale, so the next client without a resume point
          // must find it anew rather than be sent what happened meanwhile.
          if (live.size === 0) {
            head = undefined;
            generation++;
            clearTimeout(timer);
            timer = undefined;
          }
        },
      };
    },
    get clients() {
      return live.size;
    },
    close() {
      closed = true;
      clearTimeout(timer);
      timer = undefined;
      live.clear();
    },
  };
}

/** The serialised form of one feed item. */
export function toMessage(item: TicketFeedItem): FeedMessage {
  return {
    id: item.event.id,
    data: JSON.stringify({ event: eventToJson(item.event), ticket: ticketToJson(item.ticket) }),
  };
}

/**
 * The id of the newest event, found with the feed alone: "is there an event after n" is true below
 * the newest id and false from it on, so doubling then bisecting finds it in about 2·log2(id) reads.
 */
export async function latestEventId(store: TicketStore): Promise<number> {
  const after = async (n: number) => (await store.listEventsAfter(n, 1)).length > 0;
  if (!(await after(0))) return 0;
  let low = 0;
  let high = 1;
  while (await after(high)) {
    low = high;
    high *= 2;
  }
  // Now after(low) is true (or low = 0) and after(high) is false: the newest id is in (low, high].
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (await after(mid)) low = mid;
    else high = mid;
  }
  return high;
}
