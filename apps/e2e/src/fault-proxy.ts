import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";

/**
 * What the proxy does to PD's answers. `null` passes every request through unchanged.
 * - `empty-stores`: `/stores` answers `{"count":0,"stores":[]}`.
 * - `cluster-id`: `/cluster` answers another cluster id.
 * - `huge-body`: `/stores` streams `bytes` of a JSON array that never closes in time.
 * - `gzip-bomb`: `/stores` answers a gzip body that inflates to `bytes` (a few KiB on the wire).
 * - `echo-headers`: every request answers 401 with the request's headers in the body.
 * - `redirect`: every request answers 307 to the same path on `to` (another origin).
 * - `address`: `/stores` answers PD's list with every store's `address` replaced by `text`.
 * - `drop-store`: `/stores` answers PD's list without store `id`.
 * - `delay`: every request is answered `ms` later (a slow PD).
 */
export type PdFault =
  | { readonly kind: "empty-stores" }
  | { readonly kind: "cluster-id"; readonly id: string }
  | { readonly kind: "huge-body"; readonly bytes: number }
  | { readonly kind: "gzip-bomb"; readonly bytes: number }
  | { readonly kind: "echo-headers" }
  | { readonly kind: "redirect"; readonly to: string }
  | { readonly kind: "address"; readonly text: string }
  | { readonly kind: "drop-store"; readonly id: number }
  | { readonly kind: "delay"; readonly ms: number };

/** One request the proxy received. */
export interface ProxiedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
}

/** A proxy in front of the simulator's PD that can answer with faults a real network produces. */
export interface FaultProxy {
  /** Base URL to give the daemon as `pdUrl`. */
  readonly url: string;
  /** Every request received, oldest first. */
  readonly requests: readonly ProxiedRequest[];
  /** Sets the fault for the following requests; `null` passes them through. */
  setFault(fault: PdFault | null): void;
  close(): Promise<void>;
}

/** Starts a fault proxy on 127.0.0.1 (a free port) forwarding GETs to `target` (PD's base URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let fault: PdFault | null = null;
  const requests: ProxiedRequest[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? "/";
    requests.push({ path, headers: request.headers });
    _answer(fault, target, path, request.headers, response).catch((error: Error) => {
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end(`proxy error: ${error.message}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setFault(next) {
      if (next?.kind === "gzip-bomb") _bomb(next.bytes);
      fault = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// --- Internal helpers ---

async function _answer(
  fault: PdFault | null,
  target: string,
  path: string,
  headers: IncomingHttpHeaders,
  response: ServerResponse,
): Promise<void> {
  const isStores = /\/pd\/api\/v1\/stores(\?|$)/.test(path);
  if (fault?.kind === "delay") await new Promise((resolve) => setTimeout(resolve, fault.ms));
  if (fault?.kind === "echo-headers") {
    return _json(response, 401, { error: "unauthorized", request: { headers } });
  }
  if (fault?.kind === "redirect") {
    response.writeHead(307, { location: `${fault.to}${path}` });
    response.end();
    return;
  }
  if (isStores && fault?.kind === "empty-stores") return _json(response, 200, { count: 0, stores: [] });
  if (isStores && fault?.kind === "huge-body") return _stream(response, fault.bytes);
  if (isStores && fault?.kind === "gzip-bomb") return _gzipBomb(response, fault.bytes);
  if (/\/pd\/api\/v1\/cluster$/.test(path) && fault?.kind === "cluster-id") {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(`{"id":${fault.id},"max_peer_count":3}`);
    return;
  }
  const upstream = await fetch(`${target}${path}`, { headers: { accept: "application/json" } });
  let body = await upstream.text();
  if (isStores && upstream.ok && (fault?.kind === "address" || fault?.kind === "drop-store")) {
    const list = JSON.parse(body) as { count: number; stores: { store: { id: number; address: string } }[] };
    if (fault.kind === "address") for (const entry of list.stores) entry.store.address = fault.text;
    else list.stores = list.stores.filter((entry) => entry.store.id !== fault.id);
    list.count = list.stores.length;
    body = JSON.stringify(list);
  }
  response.writeHead(upstream.status, {
    "content-type": upstream.headers.get("content-type") ?? "text/plain",
  });
  response.end(body);
}

function _json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}

/** Streams a JSON body of `bytes` whose store list keeps going, stopping early if the client leaves. */
async function _stream(response: ServerResponse, bytes: number): Promise<void> {
  response.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.from(`${'{"store":{"id":1,"address":"x"},"status":{}},'.repeat(1500)}`);
  let sent = 0;
  response.write('{"count":1,"stores":[');
  while (sent < bytes && !response.destroyed) {
    if (!response.write(chunk)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          response.off("drain", done).off("close", done);
          resolve();
        };
        response.once("drain", done).once("close", done);
      });
    }
    sent += chunk.length;
  }
  response.end("{}]}");
}

/** Answers a gzip body inflating to `bytes` (compressed when the fault was set). */
function _gzipBomb(response: ServerResponse, bytes: number): void {
  response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
  response.end(_bomb(bytes));
}

const bombs = new Map<number, Buffer>();

/** A gzip body inflating to `bytes` of spaces inside a JSON string, compressed once per size. */
function _bomb(bytes: number): Buffer {
  let body = bombs.get(bytes);
  if (!body) {
    const prefix = Buffer.from('{"count":1,"stores":[{"store":{"id":1,"address":"');
    const suffix = Buffer.from('"},"status":{}}]}');
    body = gzipSync(Buffer.concat([prefix, Buffer.alloc(bytes, 0x20), suffix]), { level: 9 });
    bombs.set(bytes, body);
  }
  return body;
}
