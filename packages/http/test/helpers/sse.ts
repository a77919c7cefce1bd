import { request as httpRequest } from "node:http";

/** One server-sent event as received. */
export interface ReceivedEvent {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/** A live SSE connection over a plain node request (no EventSource in node 20). */
export interface SseConnection {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly events: ReceivedEvent[];
  /** Comment lines received (without the leading colon). */
  readonly comments: string[];
  /** Resolves once `n` events have arrived (rejects after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedEvent[]>;
  waitForComment(text: string, timeoutMs?: number): Promise<void>;
  close(): void;
}

/** Opens `url` as an event stream with `headers`; resolves when the response headers arrive. */
export function connectSse(url: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  return new Promise((resolve, reject) => {
    const events: ReceivedEvent[] = [];
    const comments: string[] = [];
    const waiters: (() => void)[] = [];
    const req = httpRequest(url, { headers: { accept: "text/event-stream", ...headers } }, (res) => {
      let buffer = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        buffer += chunk;
        for (;;) {
          const end = buffer.indexOf("\n\n");
          if (end < 0) break;
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let id: string | undefined;
          let event: string | undefined;
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) comments.push(line.slice(1).trim());
            else if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ id, event, data: data.join("\n") });
          for (const wake of waiters.splice(0)) wake();
        }
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
