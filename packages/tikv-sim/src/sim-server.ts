import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isOperatorError } from "@operator/core";
import { type FaultCommand, parseFaultCommand } from "./control.ts";
import type { ClusterModel } from "./model/cluster-model.ts";
import { pdMetricsText } from "./pd/pd-metrics.ts";

const METRICS_PATH = /^\/stores\/(\d+)\/metrics$/;
const PD_MEMBER_METRICS_PATH = /^\/pd\/([A-Za-z0-9._-]+)\/metrics$/;
const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
const MAX_BODY = 64 * 1024;

/** What the sim server needs from the cluster beyond the model: applying faults and a state report. */
export interface SimServerHooks {
  apply(command: FaultCommand): Promise<void>;
  state(): unknown;
}

/**
 * One HTTP listener for every store's `/stores/<id>/metrics` (a stopped store's scrape gets its
 * connection destroyed, so Prometheus records `up == 0`) and the control API:
 * `POST /sim/faults` with a JSON {@link FaultCommand}, `GET /sim/state`.
 */
export class SimServer {
  readonly #server: Server;
  readonly #host: string;
  readonly #pdStartSeconds = Math.floor(Date.now() / 1000);
  #port = 0;
  /** When set, `GET /pd/metrics` answers it: PD's metrics for Prometheus while PD serves https. */
  pdMetrics: (() => string) | undefined;
  /** Scrapes answered and time spent rendering them, for the scale benchmark. */
  readonly stats = { scrapes: 0, renderMs: 0, bytes: 0 };

  private constructor(cluster: ClusterModel, hooks: SimServerHooks, host: string) {
    this.#host = host;
    this.#server = createServer((req, res) => {
      this.#handle(cluster, hooks, req, res).catch((error: unknown) => {
        if (!res.headersSent) reply(res, 500, { error: String(error) });
      });
    });
    this.#server.keepAliveTimeout = 30_000;
  }

  /** Starts the listener on a free port of `host`. */
  static async start(cluster: ClusterModel, hooks: SimServerHooks, host: string): Promise<SimServer> {
    const sim = new SimServer(cluster, hooks, host);
    await new Promise<void>((resolve, reject) => {
      sim.#server.once("error", reject);
      sim.#server.listen(0, host, () => resolve());
    });
    sim.#port = (sim.#server.address() as AddressInfo).port;
    return sim;
  }

  /** `127.0.0.1:<port>`, the address Prometheus scrapes. */
  get address(): string {
    return `${this.#host}:${this.#port}`;
  }

  /** Base URL of the control API (`<url>/sim/faults`). */
  get url(): string {
    return `http://${this.address}`;
  }

  /** Closes the listener and every open connection. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
  }

  async #handle(
    cluster: ClusterModel,
    hooks: SimServerHooks,
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<void> {
    const path = (req.url ?? "/").split("?")[0] as string;
    const scrape = METRICS_PATH.exec(path);
    if (scrape && req.method === "GET") {
      const store = cluster.findStore(Number(scrape[1]));
      if (!store) return reply(res, 404, { error: `no store ${scrape[1]}` });
      const started = performance.now();
      const body = store.renderMetrics();
      if (body === null) {
        req.socket.destroy();
        return;
      }
      this.stats.scrapes++;
      this.stats.renderMs += performance.now() - started;
      this.stats.bytes += body.length;
      res.writeHead(200, { "Content-Type": TEXT_FORMAT, "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const pdMember = PD_MEMBER_METRICS_PATH.exec(path);
    if (pdMember && req.method === "GET") {
      const member = cluster.pd.find(pdMember[1] as string);
      if (!member) return reply(res, 404, { error: `no PD member ${pdMember[1]}` });
      if (!member.healthy) {
        req.socket.destroy();
        return;
      }
      const body = pdMetricsText(cluster, this.#pdStartSeconds, member);
      res.writeHead(200, { "Content-Type": TEXT_FORMAT, "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (path === "/pd/metrics" && req.method === "GET" && this.pdMetrics) {
      const body = this.pdMetrics();
      res.writeHead(200, { "Content-Type": TEXT_FORMAT, "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (path === "/sim/state" && req.method === "GET") return reply(res, 200, hooks.state());
    if (path === "/sim/faults" && req.method === "POST") {
      let command: FaultCommand;
      try {
        command = parseFaultCommand(JSON.parse(await readBody(req)));
        await hooks.apply(command);
      } catch (error) {
        const message =
          isOperatorError(error) || error instanceof SyntaxError ? error.message : String(error);
        return reply(res, 400, { error: message });
      }
      return reply(res, 200, { ok: true, applied: command });
    }
    reply(res, 404, { error: `no route ${req.method} ${path}` });
  }
}

// --- Internal helpers ---

function reply(res: ServerResponse, status: number, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_BODY) throw new SyntaxError("request body too large");
  }
  return body;
}
