import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link WebhookReceiver} got. */
export interface ReceivedRequest {
  readonly idempotencyKey: string | undefined;
  readonly signature: string | undefined;
  readonly body: string;
  /** The first alert's `key` annotation and `event` annotation (Operator's webhook payload). */
  readonly key: string | undefined;
  readonly event: string | undefined;
  /** Whether the receiver answered 2xx. */
  readonly accepted: boolean;
}

/** How the receiver answers: 200, 503, 200 after a delay, or never. */
export type ReceiverMode =
  | { readonly kind: "ok" | "down" | "hang" }
  | { readonly kind: "slow"; readonly ms: number };

/** A local webhook receiver on 127.0.0.1 whose answers a test switches. */
export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests received, answered or not. */
  readonly arrived: number;
  mode: ReceiverMode;
  close(): Promise<void>;
}

/** Starts a {@link WebhookReceiver}. */
export async function startWebhookReceiver(mode: ReceiverMode = { kind: "ok" }): Promise<WebhookReceiver> {
  const hung = new Set<ServerResponse>();
  const state = { mode, arrived: 0 };
  const requests: ReceivedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      state.arrived += 1;
      const body = Buffer.concat(chunks).toString("utf8");
      const current = state.mode;
      const record = (accepted: boolean) => {
        let key: string | undefined;
        let event: string | undefined;
        try {
          const alert = (JSON.parse(body) as { alerts?: { annotations?: Record<string, string> }[] })
            .alerts?.[0];
          key = alert?.annotations?.key;
          event = alert?.annotations?.event;
        } catch {}
        requests.push({
          idempotencyKey: req.headers["idempotency-key"] as string | undefined,
          signature: req.headers["x-operator-signature"] as string | undefined,
          body,
          key,
          event,
          accepted,
        });
      };
      if (current.kind === "hang") {
        hung.add(res);
        return;
      }
      if (current.kind === "down") {
        record(false);
        res.writeHead(503).end("receiver down");
        return;
      }
      const answer = () => {
        // A sender that went away (killed) never saw this answer.
        const gone = req.socket.destroyed;
        record(!gone);
        if (!gone) res.writeHead(200).end("ok");
      };
      if (current.kind === "slow") setTimeout(answer, current.ms);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    get arrived() {
      return state.arrived;
    },
    get mode() {
      return state.mode;
    },
    set mode(next) {
      state.mode = next;
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
