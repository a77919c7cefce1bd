import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { getRequestListener } from "@hono/node-server";
import { ConfigError } from "@operator/core";
import { createHttpApp, type HttpAppOptions } from "./app.ts";
import { capConnections, readPem, serverUrl } from "./listener.ts";

/** Where to listen. The API's default host is 127.0.0.1. */
export interface ListenOn {
  readonly host: string;
  readonly port: number;
}

/** A certificate and key (PEM file paths) to serve HTTPS. */
export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

/** Request headers larger than this are refused (431), as node's `maxHeaderSize`. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** Options of {@link startHttpServer}: the API's and the listener's. */
export interface HttpServerOptions extends HttpAppOptions {
  readonly listen: ListenOn;
  readonly tls?: TlsFiles;
  /** Open connections at most; past it the oldest idle one (or the new one) is closed. @default 1024 */
  readonly maxConnections?: number;
}

/** A running API server. */
export interface HttpServer {
  /** `http(s)://host:port` with the port actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves the API (and the page) on `listen`, over HTTPS with `tls`. The listener caps header size,
 * the time to send a request, idle connections and the number of connections; event streams are
 * exempt from the idle timeout.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const { app, hub } = createHttpApp(options);
  const listener = getRequestListener(app.fetch);
  const server = createListener(options.tls, (req, res) => void listener(req, res));
  capConnections(server, options.maxConnections ?? 1024);
  await listen(server, options.listen);
  return {
    url: serverUrl(server, options.tls !== undefined),
    close: async () => {
      hub.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/**
 * A node HTTP (or, with `tls`, HTTPS) server with the listener limits the API needs: headers within
 * {@link MAX_HEADER_BYTES} and 10 s, a whole request within 30 s, idle keep-alive closed after 5 s.
 * Reads the certificate and key at once: a file that cannot be read is a `ConfigError` naming it.
 */
export function createListener(
  tls: TlsFiles | undefined,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const limits = {
    maxHeaderSize: MAX_HEADER_BYTES,
    headersTimeout: 10_000,
    requestTimeout: 30_000,
    keepAliveTimeout: 5000,
    connectionsCheckingInterval: 1000,
  };
  const server =
    tls === undefined
      ? createHttpServer(limits, handler)
      : createHttpsServer(
          { ...limits, cert: readPem(tls.certFile, "--tls-cert"), key: readPem(tls.keyFile, "--tls-key") },
          handler,
        );
  server.timeout = 30_000;
  return server;
}

/** Binds `server` to `on`; a failure (address in use, not permitted) is a `ConfigError` naming it. */
export async function listen(server: Server, on: ListenOn): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) =>
      reject(new ConfigError(`Cannot listen on ${on.host}:${on.port}: ${error.message}`));
    server.once("error", fail);
    server.listen(on.port, on.host, () => {
      server.off("error", fail);
      resolve();
    });
  });
}

/** The API as a node request handler, to mount beside other handlers on an existing listener. */
export interface ApiListener {
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  /** Stops the event stream's polling. */
  close(): void;
}

/** Builds the API (see {@link createHttpApp}) as a node request handler. */
export function createApiListener(options: HttpAppOptions): ApiListener {
  const { app, hub } = createHttpApp(options);
  const listener = getRequestListener(app.fetch);
  return { handle: (req, res) => void listener(req, res), close: () => hub.close() };
}
