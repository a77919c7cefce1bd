import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { ClusterModel } from "../model/cluster-model.ts";
import { goJson } from "./go-format.ts";
import { pdMetricsText } from "./pd-metrics.ts";
import { routePd } from "./routes.ts";

/**
 * How PD misbehaves: `unavailable` answers 503 (no leader), `garbage` answers 200 with truncated
 * JSON, `hang` accepts requests and never answers, `down` refuses connections. `null` is healthy.
 */
export type PdFault = "unavailable" | "garbage" | "hang" | "down";

/**
 * PD served over https: the server's certificate and key, and the CA whose client certificates it
 * requires (like PD's `[security]` with `cert-allowed-cn`): a client without one is refused in the
 * handshake.
 */
export interface PdTls {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** The PD faults, for validation and help texts. */
export const PD_FAULTS: readonly PdFault[] = ["unavailable", "garbage", "hang", "down"];

const NO_LEADER = "[PD:apiutil:ErrRedirectNoLeader]redirect finds no leader";

/**
 * PD's HTTP API for a {@link ClusterModel}, on one port of 127.0.0.1, with injectable faults, and PD's
 * own `/metrics` (which a PD without a leader still serves, so only `hang` and `down` affect it).
 */
export class PdServer {
  readonly #cluster: ClusterModel;
  readonly #server: Server;
  readonly #host: string;
  readonly #hung = new Set<ServerResponse>();
  readonly #startSeconds = Math.floor(Date.now() / 1000);
  #port = 0;
  #fault: PdFault | null = null;
  #transition: Promise<void> = Promise.resolve();

  readonly #scheme: "http" | "https";

  private constructor(cluster: ClusterModel, host: string, tls: PdTls | undefined) {
    this.#cluster = cluster;
    this.#host = host;
    this.#scheme = tls ? "https" : "http";
    const handle = (req: IncomingMessage, res: ServerResponse) => this.#handle(req, res);
    this.#server = tls
      ? createHttpsServer({ ...tls, requestCert: true, rejectUnauthorized: true }, handle)
      : createServer(handle);
    this.#server.keepAliveTimeout = 5_000;
  }

  /** Starts PD on a free port of `host`, over https requiring client certificates when `tls` is given. */
  static async start(cluster: ClusterModel, host: string, tls?: PdTls): Promise<PdServer> {
    const pd = new PdServer(cluster, host, tls);
    await listen(pd.#server, 0, host);
    pd.#port = (pd.#server.address() as AddressInfo).port;
    return pd;
  }

  /** `http://127.0.0.1:<port>` (`https://` with TLS); stays the same through a `down` fault. */
  get url(): string {
    return `${this.#scheme}://${this.#host}:${this.#port}`;
  }

  /** PD's own `/metrics` text, for a plain-http scrape when PD itself serves https. */
  metricsText(): string {
    return pdMetricsText(this.#cluster, this.#startSeconds);
  }

  /** The active fault, or `null`. */
  get fault(): PdFault | null {
    return this.#fault;
  }

  /** Switches the fault; `down` closes the listener, clearing it listens again on the same port. */
  setFault(fault: PdFault | null): Promise<void> {
    const previous = this.#fault;
    this.#fault = fault;
    if (previous === "hang" && fault !== "hang") this.#releaseHung();
    if ((previous === "down") === (fault === "down")) return this.#transition;
    this.#transition = this.#transition
      .catch(() => undefined)
      .then(async () => {
        if (fault === "down") {
          const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
          this.#server.closeAllConnections();
          await closed;
        } else {
          await listen(this.#server, this.#port, this.#host);
        }
      });
    return this.#transition;
  }

  /** Stops PD and drops every connection, hung ones included. */
  async close(): Promise<void> {
    await this.#transition.catch(() => undefined);
    this.#releaseHung();
    if (!this.#server.listening) return;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const fault = this.#fault;
    if (fault === "hang") {
      this.#hung.add(res);
      res.on("close", () => this.#hung.delete(res));
      return;
    }
    if (fault === "down") {
      req.socket.destroy();
      return;
    }
    if ((req.url ?? "").split("?")[0] === "/metrics") {
      send(
        res,
        200,
        pdMetricsText(this.#cluster, this.#startSeconds),
        "text/plain; version=0.0.4; charset=utf-8",
      );
      return;
    }
    if (fault === "unavailable") {
      send(res, 503, goJson(NO_LEADER, true), "application/json; charset=UTF-8");
      return;
    }
    const url = new URL(req.url ?? "/", this.url);
    const answer = routePd(this.#cluster, this.url, req.method ?? "GET", url);
    const body = fault === "garbage" ? garble(answer.body) : answer.body;
    send(res, fault === "garbage" ? 200 : answer.status, body, answer.contentType, answer.headers);
  }

  #releaseHung(): void {
    for (const res of this.#hung) res.socket?.destroy();
    this.#hung.clear();
  }
}

// --- Internal helpers ---

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Cuts the body mid-way and appends bytes no JSON parser accepts. */
function garble(body: string): string {
  return `${body.slice(0, Math.floor(body.length / 2))}\u0000<html>502 Bad Gateway`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}
