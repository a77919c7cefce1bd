import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a route answers: a status and an exact body, optionally late or never finished. */
export interface Reply {
  readonly status?: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Wait this long before sending anything. */
  readonly delayMs?: number;
  /** Send the headers and the first part of the body, then stall for this long. */
  readonly stallBodyMs?: number;
  /** Answers by hand (streams, endless bodies); every other field is ignored. */
  readonly handle?: (response: ServerResponse, request: IncomingMessage) => void;
}

/** A route: a fixed reply, or a function of the request. */
export type Route = Reply | ((request: IncomingMessage, url: URL) => Reply);

/** A local HTTP server on 127.0.0.1:0 answering from a route table keyed by path. */
export interface TestServer {
  readonly url: string;
  /** Every request received, as `path?query`. */
  readonly requests: string[];
  /** Every request's headers, in order. */
  readonly headers: IncomingMessage["headers"][];
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

/** Starts a {@link TestServer}. Unknown paths answer 404 with PD's plain-text style. */
export async function startTestServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const headers: IncomingMessage["headers"][] = [];
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    requests.push(`${url.pathname}${url.search}`);
    headers.push(request.headers);
    const route = table.get(url.pathname);
    const reply: Reply = route
      ? typeof route === "function"
        ? route(request, url)
        : route
      : { status: 404, body: "404 page not found\n" };
    if (reply.handle) {
      reply.handle(response, request);
      return;
    }
    const send = () => {
      response.writeHead(reply.status ?? 200, { "content-type": "application/json", ...reply.headers });
      const body = reply.body ?? "";
      if (reply.stallBodyMs) {
        response.write(body.slice(0, Math.floor(body.length / 2)));
        later(reply.stallBodyMs, () => response.end(body.slice(Math.floor(body.length / 2))));
      } else {
        response.end(body);
      }
    };
    if (reply.delayMs) later(reply.delayMs, send);
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    headers,
    route: (path, route) => table.set(path, route),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
