import { parseFeedItem } from "./parse.ts";
import { SseParser } from "./sse-parser.ts";
import type { FeedItem } from "./types.ts";

/** How the live feed stands, for the header's indicator. */
export type LiveState = "connecting" | "live" | "reconnecting" | "unauthorized";

/** What {@link openEventStream} reports to. */
export interface EventStreamHandlers {
  /** A committed ticket event. */
  onItem(item: FeedItem): void;
  onState(state: LiveState): void;
}

/** The longest pause between reconnection attempts. */
const MAX_BACKOFF_MS = 30_000;
const FIRST_BACKOFF_MS = 1000;

/**
 * Follows `GET /api/v1/events` until `signal` aborts. Reads the stream with `fetch` (not
 * `EventSource`) so that it can send the bearer token; after a drop it reconnects with growing pauses
 * and sends `Last-Event-ID`, so the server resumes after the last event the page saw and none is lost.
 * A 401 stops it (state `unauthorized`) until the caller opens a new stream with a token.
 */
export async function openEventStream(
  token: string | null,
  handlers: EventStreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  let lastId: string | undefined;
  let backoff = FIRST_BACKOFF_MS;
  handlers.onState("connecting");
  while (!signal.aborted) {
    const headers: Record<string, string> = { Accept: "text/event-stream" };
    if (token !== null) headers.Authorization = `Bearer ${token}`;
    if (lastId !== undefined) headers["Last-Event-ID"] = lastId;
    try {
      const response = await fetch("/api/v1/events", {
        headers,
        signal,
        cache: "no-store",
        credentials: "omit",
      });
      if (response.status === 401) {
        handlers.onState("unauthorized");
        await response.body?.cancel();
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      handlers.onState("live");
      backoff = FIRST_BACKOFF_MS;
      const parser = new SseParser();
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const message of parser.feed(value)) {
          if (message.id !== undefined) lastId = message.id;
          if (message.retry !== undefined) backoff = Math.min(Math.max(message.retry, 500), MAX_BACKOFF_MS);
          if (message.event !== "ticket") continue;
          let data: unknown;
          try {
            data = JSON.parse(message.data);
          } catch {
            continue;
          }
          const item = parseFeedItem(data);
          if (item) handlers.onItem(item);
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    if (signal.aborted) return;
    handlers.onState("reconnecting");
    await _pause(backoff, signal);
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
  }
}

function _pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
