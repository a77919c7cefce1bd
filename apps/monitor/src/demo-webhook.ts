import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { CliLogger } from "./logger.ts";

/** The largest request body the demo's receiver reads; a bigger one is answered 413 unread. */
const MAX_BODY_BYTES = 256 * 1024;

/** The longest text of one field the receiver prints. */
const MAX_FIELD_CHARS = 200;

/** The demo's local webhook receiver: where it listens, and how to stop it. */
export interface DemoWebhook {
  /** `http://127.0.0.1:<port>/notifications`, the URL of the demo's `webhook` channel. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the demo's webhook receiver on 127.0.0.1 (a free port). For each notification it receives
 * (Alertmanager's webhook format, as the `webhook` channel sends) it logs one line:
 * `[demo webhook] opened critical demo/store_down/store-2: store 2 is Down ...`, so the demo shows
 * what a real receiver would get. Bodies over 256 KiB are refused (413), unreadable ones answered 400;
 * printed fields are cut to 200 characters (the logger escapes control characters).
 */
export async function startDemoWebhook(logger: CliLogger): Promise<DemoWebhook> {
  const server = createServer((request, response) => {
    if (request.method !== "POST") {
      response.writeHead(405, { Allow: "POST" }).end();
      return;
    }
    _readBody(request).then(
      (body) => {
        const line = body === null ? null : describeWebhookBody(body);
        if (line === null) {
          response.writeHead(body === null ? 413 : 400, { Connection: "close" }).end();
          return;
        }
        logger.info(`[demo webhook] ${line}`);
        response.writeHead(200, { "Content-Type": "text/plain" }).end("ok\n");
      },
      () => response.destroy(),
    );
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notifications`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * One line describing a webhook payload (Alertmanager's format): `<event> <severity> <key>: <summary>`
 * from the first alert's annotations and labels, `?` for a missing field; null when `body` is not
 * such a payload.
 */
export function describeWebhookBody(body: string): string | null {
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    return null;
  }
  const alert = (payload as { alerts?: unknown })?.alerts;
  const first = Array.isArray(alert) ? (alert[0] as unknown) : undefined;
  if (typeof first !== "object" || first === null) return null;
  const { labels, annotations } = first as { labels?: unknown; annotations?: unknown };
  const field = (record: unknown, name: string): string => {
    const value = (record as Record<string, unknown> | undefined)?.[name];
    return typeof value === "string" && value !== "" ? value.slice(0, MAX_FIELD_CHARS) : "?";
  };
  const summary = field(annotations, "summary");
  return `${field(annotations, "event")} ${field(labels, "severity")} ${field(annotations, "key")}${summary === "?" ? "" : `: ${summary}`}`;
}

// --- Internal helpers ---

/** The request's body as text, or null when it is larger than {@link MAX_BODY_BYTES}. */
function _readBody(request: IncomingMessage): Promise<string | null> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) over = true;
      if (!over) chunks.push(chunk);
    });
    request.on("end", () => done(over ? null : Buffer.concat(chunks).toString("utf8")));
    request.on("error", fail);
  });
}
