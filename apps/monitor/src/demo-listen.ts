import { createServer } from "node:net";
import type { ListenAddress } from "./config.ts";

/** Where the demo serves the page when `--listen` does not say: loopback only. */
const DEMO_HOST = "127.0.0.1";

/**
 * The address the demo listens on, so that it can print the page's URL before the server starts:
 * `--listen` as given, except that no address or port 0 becomes a free port (asked of the system
 * now) on the given host, 127.0.0.1 by default.
 */
export async function demoListenAddress(given: ListenAddress | undefined): Promise<ListenAddress> {
  if (given && given.port !== 0) return given;
  const host = given?.host ?? DEMO_HOST;
  return { host, port: await _freePort(host) };
}

/** The page's URL for a listen address: `http://127.0.0.1:8080/`, IPv6 hosts in brackets. */
export function pageUrl(listen: ListenAddress): string {
  const host = listen.host === "0.0.0.0" ? "127.0.0.1" : listen.host === "::" ? "[::1]" : listen.host;
  return `http://${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${listen.port}/`;
}

function _freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
