import http from "node:http";
import type { AddressInfo } from "node:net";

/** An HTTP proxy on 127.0.0.1 that forwards every request to one upstream and counts them. */
export interface CountingProxy {
  /** The proxy's base URL, to use in place of the upstream's. */
  readonly url: string;
  /** Requests forwarded since the last {@link CountingProxy.reset}. */
  count(): number;
  /** Requests by path (without the query string) since the last reset. */
  byPath(): Record<string, number>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * Starts a counting proxy in front of `upstream` (e.g. the simulated PD's URL). Counting at the server
 * side measures what a subject really sends, whatever HTTP client it uses.
 */
export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const target = new URL(upstream);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  let paths = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    paths.set(path, (paths.get(path) ?? 0) + 1);
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: `${target.pathname.replace(/\/$/, "")}${req.url ?? "/"}`,
        headers: { ...req.headers, host: target.host },
        agent,
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on("error", (error) => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end(`proxy: ${error.message}`);
    });
    req.on("aborted", () => forward.destroy());
    req.pipe(forward);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    count: () => [...paths.values()].reduce((sum, n) => sum + n, 0),
    byPath: () => Object.fromEntries(paths),
    reset: () => {
      paths = new Map();
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
