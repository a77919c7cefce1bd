import type { EventHub, FeedMessage } from "./event-hub.ts";

/** Options of {@link sseResponse}. */
export interface SseOptions {
  /** A comment line is sent this often, so proxies and clients see the stream alive. @default 15000 */
  readonly keepaliveMs?: number;
  /** A client that lets this many bytes pile up unread is disconnected (it resumes with its id). @default 8 MiB */
  readonly maxQueuedBytes?: number;
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
  const maxQueuedBytes = options.maxQueuedBytes ?? 8 * 1024 * 1024;
  let stop: () => void = () => undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const drained: (() => void)[] = [];
  const stream = new ReadableStream<Uint8Array>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        for (const wake of drained.splice(0)) wake();
      },
      cancel() {
        stop();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
  );
  let open = true;
  const ready = (): Promise<void> =>
    !open || (controller.desiredSize ?? 1) > 0
      ? Promise.resolve()
      : new Promise((wake) => drained.push(wake));
  const write = (text: string) => {
    if (!open) return;
    controller.enqueue(encoder.encode(text));
    if ((controller.desiredSize ?? 0) < -maxQueuedBytes) {
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
    ready,
  });
  const keepalive = setInterval(() => write(": keepalive\n\n"), keepaliveMs);
  keepalive.unref?.();
  stop = () => {
    if (!open) return;
    open = false;
    clearInterval(keepalive);
    subscription.close();
    for (const wake of drained.splice(0)) wake();
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
