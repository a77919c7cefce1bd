import type { z } from "zod";
import { PdError } from "./errors.ts";
import { type CallContext, createHttp, type RequestEvent, statusFailure, TransportFailure } from "./http.ts";
import { decode, parseJson } from "./json.ts";
import {
  clusterResponse,
  healthResponse,
  type regionInfo,
  regionsResponse,
  replicationResponse,
  storeInfo,
  storesResponse,
} from "./pd-schemas.ts";

/** Path prefix of PD's HTTP API. */
export const PD_API = "/pd/api/v1";

/** A store as `GET /stores` describes it, with sizes in bytes and the heartbeat in epoch ms. */
export type PdStore = z.output<typeof storeInfo>;
/** The `status` part of a {@link PdStore}. */
export type PdStoreStatus = PdStore["status"];
/** A region as PD's region endpoints describe it. */
export type PdRegion = z.output<typeof regionInfo>;
/** One PD member's health, from `GET /health`. */
export type PdMemberHealth = z.output<typeof healthResponse>[number];
/** `GET /config/replicate`, booleans parsed. */
export type PdReplicationConfig = z.output<typeof replicationResponse>;
/** `GET /cluster`; `id` is a decimal string because it routinely exceeds 2^53. */
export type PdCluster = z.output<typeof clusterResponse>;

/** The region checks PD serves at `/regions/check/{type}`. */
export type RegionCheckType =
  | "miss-peer"
  | "extra-peer"
  | "pending-peer"
  | "down-peer"
  | "learner-peer"
  | "empty-region"
  | "offline-peer"
  | "oversized-region"
  | "undersized-region";

/** What a region check returned: PD's `count` and the regions themselves. */
export interface RegionCheck {
  readonly type: RegionCheckType;
  readonly count: number;
  readonly regions: readonly PdRegion[];
}

/** Settings of {@link createPdClient}. */
export interface PdClientOptions {
  /** PD base URL, e.g. `http://10.0.1.10:2379`. */
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Budget per attempt (ms), body included. @default 5000 */
  readonly timeoutMs?: number;
  /** Retries for timeouts, refused connections and 5xx. @default 1 */
  readonly retries?: number;
  /** Called before every attempt; lets a caller count requests. */
  readonly onRequest?: (event: RequestEvent) => void;
}

/**
 * A read-only client for PD's HTTP API. Every answer is validated; failures throw {@link PdError}
 * (no usable answer) or `ResponseShapeError` (an answer of the wrong shape).
 */
export interface PdClient {
  /** `GET /stores`: Up and Offline stores (PD leaves Tombstone out), Disconnected/Down in `stateName`. */
  stores(context?: CallContext): Promise<PdStore[]>;
  /** `GET /store/{id}`: one store, Tombstone included. */
  store(id: string, context?: CallContext): Promise<PdStore>;
  /** `GET /regions/check/{type}`. */
  regionCheck(type: RegionCheckType, context?: CallContext): Promise<RegionCheck>;
  /** `GET /health`. */
  health(context?: CallContext): Promise<PdMemberHealth[]>;
  /** `GET /config/replicate`. */
  replicationConfig(context?: CallContext): Promise<PdReplicationConfig>;
  /** `GET /cluster`. */
  cluster(context?: CallContext): Promise<PdCluster>;
  /** The cluster id as a decimal string (it does not fit a JS number). */
  clusterId(context?: CallContext): Promise<string>;
}

/** Creates a {@link PdClient}. */
export function createPdClient(options: PdClientOptions): PdClient {
  const http = createHttp({
    source: "pd",
    baseUrl: options.url.replace(/\/+$/, ""),
    headers: options.headers ?? {},
    timeoutMs: options.timeoutMs ?? 5000,
    retries: options.retries ?? 1,
    onRequest: options.onRequest,
  });

  async function get<S extends z.ZodType>(
    path: string,
    schema: S,
    context?: CallContext,
  ): Promise<z.output<S>> {
    const endpoint = `${PD_API}${path}`;
    let response: Awaited<ReturnType<typeof http.get>>;
    try {
      response = await http.get(endpoint, undefined, context);
    } catch (error) {
      if (error instanceof TransportFailure) {
        throw new PdError(endpoint, { reason: error.reason, detail: error.detail, cause: error });
      }
      throw error;
    }
    if (response.status < 200 || response.status > 299) {
      throw new PdError(endpoint, {
        ...statusFailure(response.status),
        status: response.status,
        detail: _pdMessage(response.text),
      });
    }
    return decode(schema, response.text, "pd", endpoint);
  }

  return {
    stores: async (context) => (await get("/stores", storesResponse, context)).stores,
    store: (id, context) => get(`/store/${encodeURIComponent(id)}`, storeInfo, context),
    regionCheck: async (type, context) => {
      const body = await get(`/regions/check/${type}`, regionsResponse, context);
      return { type, count: body.count, regions: body.regions };
    },
    health: (context) => get("/health", healthResponse, context),
    replicationConfig: (context) => get("/config/replicate", replicationResponse, context),
    cluster: (context) => get("/cluster", clusterResponse, context),
    clusterId: async (context) => (await get("/cluster", clusterResponse, context)).id,
  };
}

// --- Internal helpers ---

/** PD's error bodies: a JSON string, an errcode object `{code, msg}`, or plain text. */
function _pdMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  try {
    const body = parseJson(trimmed);
    if (typeof body === "string") return _shorten(body);
    if (typeof body === "object" && body !== null && "msg" in body) {
      const { code, msg } = body as { code?: unknown; msg?: unknown };
      return _shorten(code === undefined ? String(msg) : `${String(code)}: ${String(msg)}`);
    }
  } catch {
    // not JSON: fall through to the raw text
  }
  return _shorten(trimmed);
}

function _shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
