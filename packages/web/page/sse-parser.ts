/** One server-sent event, as the stream's fields gave it. */
export interface SseMessage {
  /** The `id` field, if the event had one. */
  readonly id: string | undefined;
  /** The `event` field; `message` when absent. */
  readonly event: string;
  readonly data: string;
  /** The `retry` field in milliseconds, if any. */
  readonly retry: number | undefined;
}

/** The most one event may hold before the parser drops it (a defence against an endless line). */
export const MAX_EVENT_CHARS = 1_000_000;

/**
 * A parser of the `text/event-stream` format (WHATWG HTML, "Server-sent events"): feed it text as it
 * arrives, in any chunking, and it returns the complete events. Comment lines (`: keepalive`) are skipped.
 */
export class SseParser {
  #buffer = "";
  #data: string[] = [];
  #event = "";
  #id: string | undefined;
  #retry: number | undefined;
  #size = 0;

  /** Adds `chunk` and returns the events it completed. */
  feed(chunk: string): SseMessage[] {
    this.#buffer += chunk;
    const messages: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (!match) break;
      // A lone "\r" at the end may be the first half of "\r\n": wait for more.
      if (match[0] === "\r" && match.index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      const message = this.#line(line);
      if (message) messages.push(message);
    }
    if (this.#buffer.length > MAX_EVENT_CHARS) this.#reset(true);
    return messages;
  }

  #line(line: string): SseMessage | undefined {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    this.#size += value.length;
    if (this.#size > MAX_EVENT_CHARS) {
      this.#reset(false);
      return undefined;
    }
    if (field === "data") this.#data.push(value);
    else if (field === "event") this.#event = value;
    else if (field === "id" && !value.includes("\0")) this.#id = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.#retry = Number(value);
    return undefined;
  }

  #dispatch(): SseMessage | undefined {
    const hasData = this.#data.length > 0;
    const message: SseMessage = {
      id: this.#id,
      event: this.#event || "message",
      data: this.#data.join("\n"),
      retry: this.#retry,
    };
    this.#reset(false);
    return hasData || message.id !== undefined ? message : undefined;
  }

  #reset(buffer: boolean): void {
    if (buffer) this.#buffer = "";
    this.#data = [];
    this.#event = "";
    this.#id = undefined;
    this.#retry = undefined;
    this.#size = 0;
  }
}
