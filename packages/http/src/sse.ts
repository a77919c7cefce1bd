import type { EventHub, FeedMessage } from "./event-hub.ts";

/** Options of {@link sseResponse}. */
export interface SseOptions {
  /** A comment line is sent this often, so proxies and clients see the stream alive. @default 15000 */
  readonly keepaliveMs?: number;
  /** A client that lets this many events pile up unread is disconnected (it resumes with its id). @default 5000 */
  readonly maxQueued?: number;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignal;
}

const encoder = new TextEncoder();

/**
 * A `text/event-stream` response of the hub's events from `afterId` (or from now): each event as
 * `id:`, `event: ticket` and one `data:` line of JSON, a `: keepalive` comment every `keepaliveMs`.
 * A client too slow to read is cut off rather than buffered without end.
 */
export async function sseResponse(
  hub: EventHub,
  afterId: number | undefined,
  options: SseOptions,
): Promise<Response> {
  const keepaliveMs = options.keepaliveMs ?? 15_000;
  const maxQueued = options.maxQueued ?? 5000;
  let stop: () => void = () => undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      cancel() {
        stop();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 64 }),
  );
  let open = true;
  const write = (text: string) => {
    if (!open) return;
    controller.enqueue(encoder.encode(text));
    if ((controller.desiredSize ?? 0) < -maxQueued) {
      stop();
      try {
        controller.close();
      } catch {
        // Already closed.
      }
    }
  };
  write("retry: 2000\n: connected\n\n");
  const subscription = await hub.subscribe(afterId, {
    send: (messages: readonly FeedMessage[]) => {
      let text = "";
      for (const m of messages) text += `id: ${m.id}\nevent: ticket\ndata: ${m.data}\n\n`;
      write(text);
    },
  });
  const keepalive = setInterval(() => write(": keepalive\n\n"), keepaliveMs);
  keepalive.unref?.();
  stop = () => {
    if (!open) return;
    open = false;
    clearInterval(keepalive);
    subscription.close();
  };
  if (options.signal.aborted) stop();
  options.signal.addEventListener("abort", () => stop(), { once: true });
  return new Response(stream, {
    status: 200,
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
