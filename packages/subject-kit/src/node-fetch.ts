import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { Readable, type Transform } from "node:stream";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import type { ResolvedTls } from "./tls.ts";

/** The `fetch` the HTTP client hands to ky. */
export type FetchFunction = (input: Request | URL | string, init?: RequestInit) => Promise<Response>;

/**
 * A `fetch` on node:http and node:https, with keep-alive agents (and the TLS settings, if any), for
 * ky. Node's own `fetch` (undici) connects through its WebAssembly HTTP parser and its own connection
 * pool: 132 requests to a local server grew a fresh process by 35 MB of resident memory, against 6 MB
 * on node:http.
 *
 * It behaves as fetch does where the client relies on it: the answer is a `Response` whatever its
 * status, redirects are returned, not followed (the client follows same-origin ones itself),
 * `Content-Encoding` gzip, deflate and br are decoded while streaming (the header stays), an aborted
 * signal rejects with its reason, and a failure to connect or a broken answer rejects with a
 * `TypeError` whose `cause` is Node's error (its `code` names it: `ECONNREFUSED`, `CERT_HAS_EXPIRED`).
 */
export function createNodeFetch(tls?: ResolvedTls): FetchFunction {
  const http = new HttpAgent({ keepAlive: true });
  const https = new HttpsAgent({ keepAlive: true, ...(tls ? _tlsOptions(tls) : {}) });
  return async (input, init) => {
    // ky passes its Request with an empty init: a copy would only add a signal to follow.
    const request =
      input instanceof Request && (init === undefined || Object.keys(init).length === 0)
        ? input
        : new Request(input, init);
    request.signal.throwIfAborted();
    const url = new URL(request.url);
    const secure = url.protocol === "https:";
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const headers: Record<string, string> = Object.fromEntries(request.headers);
    if (body) headers["content-length"] = String(body.byteLength);
    return new Promise<Response>((resolve, reject) => {
      const outgoing = (secure ? httpsRequest : httpRequest)(
        url,
        { method: request.method, headers, agent: secure ? https : http, signal: request.signal },
        (incoming) => {
          try {
            resolve(_response(incoming, request.signal));
          } catch (error) {
            incoming.destroy();
            reject(new TypeError("fetch failed", { cause: error }));
          }
        },
      );
      outgoing.on("error", (error) =>
        reject(
          request.signal.aborted ? request.signal.reason : new TypeError("fetch failed", { cause: error }),
        ),
      );
      outgoing.end(body);
    });
  };
}

// --- Internal helpers ---

/** Statuses whose response has no body, which the `Response` constructor refuses one for. */
const NULL_BODY = new Set([101, 204, 205, 304]);

function _response(incoming: IncomingMessage, signal: AbortSignal): Response {
  const headers = new Headers();
  for (const [name, value] of Object.entries(incoming.headers)) {
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else if (value !== undefined) headers.set(name, value);
  }
  const status = incoming.statusCode ?? 0;
  if (NULL_BODY.has(status)) {
    incoming.resume();
    return new Response(null, { status, headers });
  }
  const stream = _decoded(incoming, headers.get("content-encoding"));
  const abort = () => stream.destroy(signal.reason);
  signal.addEventListener("abort", abort, { once: true });
  stream.once("close", () => signal.removeEventListener("abort", abort));
  return new Response(Readable.toWeb(stream) as ReadableStream<Uint8Array>, { status, headers });
}

/** The body with its content codings undone, last applied first; an unknown coding is left as it is. */
function _decoded(incoming: IncomingMessage, encoding: string | null): Readable {
  const codings = (encoding ?? "")
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity")
    .reverse();
  let stream: Readable = incoming;
  for (const coding of codings) {
    const decoder = DECODERS[coding]?.();
    if (!decoder) return stream;
    stream.on("error", (error) => decoder.destroy(error));
    stream = stream.pipe(decoder);
  }
  return stream;
}

const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

function _tlsOptions(tls: ResolvedTls) {
  const serverName = tls.serverName;
  return {
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(serverName
      ? {
          servername: serverName,
          checkServerIdentity: (_host: string, cert: PeerCertificate) =>
            checkServerIdentity(serverName, cert),
        }
      : {}),
  };
}
