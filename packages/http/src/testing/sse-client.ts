import { request as httpRequest } from "node:http";

/** One server-sent event as received. */
export interface ReceivedEvent {
  /** The `id` field, when the event carried one. */
  readonly id: string | undefined;
  /** The `event` field, when the event carried one. */
  readonly event: string | undefined;
  /** The `data` lines, joined with newlines. */
  readonly data: string;
}

/** A live event stream (Node 20 has no `EventSource`). */
export interface SseConnection {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Every event received so far, in order. */
  readonly events: ReceivedEvent[];
  /** Comment lines received so far (without the leading colon), e.g. keep-alives. */
  readonly comments: string[];
  /** Resolves with the first `n` events once they have arrived; rejects after `timeoutMs`. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  /** Resolves once a comment equal to `text` has arrived; rejects after `timeoutMs`. */
  waitForComment(text: string, timeoutMs?: number): Promise<void>;
  /** Closes the connection. */
  close(): void;
}

/**
 * Opens the plain-HTTP `url` as an event stream with `headers`, for tests of the API's
 * `/api/v1/events`; resolves when the response headers arrive, whatever the status.
 */
export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const events: ReceivedEvent[] = [];
    const comments: string[] = [];
    const waiters: (() => void)[] = [];
    const parser = new SseParser(
      (event) => events.push(event),
      (comment) => comments.push(comment),
    );
    const req = httpRequest(url, { headers: { accept: "text/event-stream", ...headers } }, (res) => {
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        parser.push(chunk);
        for (const wake of waiters.splice(0)) wake();
      });
      res.on("error", () => undefined);
      const wait = (done: () => boolean, what: string, timeoutMs: number) =>
        new Promise<void>((ok, fail) => {
          const timer = setTimeout(() => fail(new Error(`timed out waiting for ${what}`)), timeoutMs);
          const check = () => {
            if (done()) {
              clearTimeout(timer);
              ok();
            } else waiters.push(check);
          };
          check();
        });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        events,
        comments,
        async waitFor(n, timeoutMs = 10_000) {
          await wait(() => events.length >= n, `${n} events (have ${events.length})`, timeoutMs);
          return events.slice(0, n);
        },
        waitForComment(text, timeoutMs = 10_000) {
          return wait(() => comments.includes(text), `comment "${text}"`, timeoutMs);
        },
        close() {
          req.destroy();
        },
      });
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * The event stream format of the HTML standard, as far as a test needs it: lines end in LF, CRLF
 * or CR; `field: value` or `field:value`; `data` lines accumulate; a blank line dispatches the
 * event (one without data is dropped); a line starting with a colon is a comment. Each event
 * reports the `id` it carried itself (the standard's last-event-id carries over; a test wants to
 * see what was sent).
 */
export class SseParser {
  readonly #onEvent: (event: ReceivedEvent) => void;
  readonly #onComment: (comment: string) => void;
  #buffer = "";
  #id: string | undefined;
  #event: string | undefined;
  #data: string[] = [];

  constructor(onEvent: (event: ReceivedEvent) => void, onComment: (comment: string) => void = () => {}) {
    this.#onEvent = onEvent;
    this.#onComment = onComment;
  }

  /** Feeds a chunk of the stream; complete lines are parsed, a partial one waits for the rest. */
  push(chunk: string): void {
    let text = this.#buffer + chunk;
    // A CR at the very end may be the first half of a CRLF split across chunks: keep it back.
    const held = text.endsWith("\r") ? "\r" : "";
    if (held) text = text.slice(0, -1);
    const lines = text.split(/\r\n|\r|\n/);
    this.#buffer = (lines.pop() ?? "") + held;
    for (const line of lines) this.#line(line);
  }

  #line(line: string): void {
    if (line === "") {
      if (this.#data.length > 0) {
        this.#onEvent({ id: this.#id, event: this.#event, data: this.#data.join("\n") });
      }
      this.#id = undefined;
      this.#event = undefined;
      this.#data = [];
      return;
    }
    if (line.startsWith(":")) {
      this.#onComment(line.slice(1).trim());
      return;
    }
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id") this.#id = value;
  }
}
