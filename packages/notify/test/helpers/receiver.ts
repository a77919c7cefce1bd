import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The exact body bytes, as text. */
  readonly body: string;
}

/** Answers one request; may write anything to `response`, or never answer. */
export type Handler = (request: Received, response: ServerResponse) => void;

/** A local HTTP receiver on 127.0.0.1 and a free port, recording every request. */
export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Replaces how requests are answered (default: 200 `ok`). */
  handle(handler: Handler): void;
  close(): Promise<void>;
}

/** Starts a receiver; `close` ends hanging requests too. */
export async function startReceiver(handler: Handler = ok): Promise<Receiver> {
  let current = handler;
  const requests: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const received = {
        method: request.method ?? "",
        path: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(received);
      current(received, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    handle(next) {
      current = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Answers 200 `ok`. */
export function ok(_request: Received, response: ServerResponse): void {
  response.writeHead(200, { "content-type": "text/plain" }).end("ok");
}

/** Answers with a status, headers and a body. */
export function answer(status: number, body = "", headers: Record<string, string> = {}): Handler {
  return (_request, response) => {
    response.writeHead(status, headers).end(body);
  };
}
