import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link TestReceiver} got. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query. */
  readonly path: string;
  /** Header names lower-case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** When it arrived (epoch ms). */
  readonly at: number;
}

/** How the receiver answers: a status (with headers, body), or never (the request hangs). */
export type ReceiverBehaviour =
  | {
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string;
      /** Answer only after this long. */
      readonly delayMs?: number;
    }
  | { readonly hang: true };

/** A local HTTP receiver on 127.0.0.1 whose answers a test switches. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Every request so far, oldest first. */
  readonly requests: ReceivedRequest[];
  /** Sets how later requests are answered. @default { status: 200 } */
  respond(behaviour: ReceiverBehaviour | ((request: ReceivedRequest) => ReceiverBehaviour)): void;
  /** Forgets the requests received so far. */
  clear(): void;
  /** Closes the server (hanging requests are dropped). */
  close(): Promise<void>;
}

/** Largest request body the receiver keeps; longer bodies are cut. */
const MAX_BODY = 4 * 1024 * 1024;

/**
 * Starts a {@link TestReceiver} on a free port of 127.0.0.1, answering 200 until told otherwise.
 * For notifier plugins' tests: pass `receiver.url` to the notifier and inspect `receiver.requests`.
 */
export async function startTestReceiver(): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let behave: (request: ReceivedRequest) => ReceiverBehaviour = () => ({ status: 200 });
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
      }
      const request: ReceivedRequest = {
        method: req.method ?? "",
        path: req.url ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      requests.push(request);
      const behaviour = behave(request);
      if ("hang" in behaviour) {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        return;
      }
      const answer = () => {
        if (res.destroyed) return;
        res.writeHead(behaviour.status, { "content-type": "application/json", ...behaviour.headers });
        res.end(behaviour.body ?? "{}");
      };
      if (behaviour.delayMs === undefined) answer();
      else {
        hanging.add(res);
        res.on("close", () => hanging.delete(res));
        setTimeout(answer, behaviour.delayMs);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(behaviour) {
      behave = typeof behaviour === "function" ? behaviour : () => behaviour;
    },
    clear() {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released): connections are refused. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A URL on 127.0.0.1 where nothing listens (connections are refused). */
export async function refusedUrl(): Promise<string> {
  return `http://127.0.0.1:${await closedPort()}`;
}
