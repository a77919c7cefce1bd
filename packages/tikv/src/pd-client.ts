import {
  createHttpClient,
  type HttpResponse,
  RefusedAnswer,
  type ResolvedTls,
  redactError,
  statusFailure,
  TransportFailure,
} from "@operator/subject-kit";
import type { z } from "zod";
import { PdError, PREFIX } from "./errors.ts";
import type { CallContext, RequestEvent } from "./http.ts";
import { decodeSliced, type ListAt, parseJson } from "./json.ts";
import {
  clusterResponse,
  healthResponse,
  regionInfo,
  regionsResponse,
  type storeInfo,
  storesResponse,
} from "./pd-schemas.ts";
import { STORE_ELEMENT } from "./pd-store-check.ts";

/** Default cap of one PD answer: PD's `/stores` for 5,000 stores is about 6 MB. */
export const DEFAULT_PD_MAX_BODY_BYTES = 32 * 1024 * 1024;

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
  /**
   * PD base URL, e.g. `http://10.0.1.10:2379`, or the URLs of several PD members. With several, each
   * request goes to the member that answered last; a timeout, refused connection, retryable status,
   * body over the cap or cross-origin redirect moves it on to the next member instead of retrying the
   * same one.
   */
  readonly url: string | readonly string[];
  readonly headers?: Readonly<Record<string, string>>;
  /** Client certificate, CA and server name for `https://` PD URLs (see `resolveTls`). */
  readonly tls?: ResolvedTls | undefined;
  /** Budget per attempt (ms), body included. @default 5000 */
  readonly timeoutMs?: number;
  /** Retries for timeouts, refused connections and 5xx. @default 1 */
  readonly retries?: number;
  /**
   * Largest body read from PD, in bytes after decompression; a larger answer is refused unread and
   * fails as `invalid_response`. @default DEFAULT_PD_MAX_BODY_BYTES (32 MiB)
   */
  readonly maxBodyBytes?: number;
  /** Called before every attempt; lets a caller count requests. */
  readonly onRequest?: (event: RequestEvent) => void;
}

/**
 * A read-only client for PD's HTTP API. Every answer is validated; failures throw {@link PdError}
 * (no usable answer) or `ResponseShapeError` (an answer of the wrong shape).
 */
export interface PdClient {
  /**
   * `GET /stores?state=0&state=1&state=2`: every store PD still knows, Up, Offline and Tombstone
   * (PD purges Tombstone records after about a month); Disconnected/Down in `stateName`.
   */
  stores(context?: CallContext): Promise<PdStore[]>;
  /** `GET /regions/check/{type}`. */
  regionCheck(type: RegionCheckType, context?: CallContext): Promise<RegionCheck>;
  /** `GET /health`. */
  health(context?: CallContext): Promise<PdMemberHealth[]>;
  /** The cluster id as a decimal string (it does not fit a JS number). */
  clusterId(context?: CallContext): Promise<string>;
  /**
   * `GET <PD_API><path>` validated by `schema`, with the same failover, caps and errors as every
   * other read, e.g. `get("/members", membersResponse, context)`.
   */
  get<S extends z.ZodType>(path: string, schema: S, context?: CallContext): Promise<z.output<S>>;
}

/** Creates a {@link PdClient}. */
export function createPdClient(options: PdClientOptions): PdClient {
  const urls = typeof options.url === "string" ? [options.url] : [...options.url];
  if (urls.length === 0) throw new TypeError("createPdClient needs at least one PD URL");
  const members = urls.map((url) => {
    const baseUrl = url.replace(/\/+$/, "");
    const http = createHttpClient<"pd">({
      source: "pd",
      label: `${PREFIX} PD`,
      baseUrl,
      headers: options.headers ?? {},
      tls: options.tls,
      timeoutMs: options.timeoutMs ?? 5000,
      retries: urls.length === 1 ? (options.retries ?? 1) : 0,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_PD_MAX_BODY_BYTES,
      onRequest: options.onRequest,
    });
    return { url: http.url, http };
  });
  let preferred = 0;

  async function getFrom<S extends z.ZodType>(
    member: (typeof members)[number],
    endpoint: string,
    schema: S,
    context?: CallContext,
    request: PdRequest = {},
  ): Promise<z.output<S>> {
    try {
      let response: HttpResponse;
      try {
        response = await member.http.get(endpoint, request.search, context);
      } catch (error) {
        if (error instanceof TransportFailure) {
          throw new PdError(endpoint, { url: member.url, reason: error.reason, detail: error.detail });
        }
        if (error instanceof RefusedAnswer) {
          const refused = { reason: error.reason, detail: error.detail, retryable: true };
          throw new PdError(endpoint, { url: member.url, ...refused });
        }
        throw error;
      }
      if (response.status < 200 || response.status > 299) {
        throw new PdError(endpoint, {
          ...statusFailure(response.status),
          url: member.url,
          status: response.status,
          detail: _pdMessage(response.text),
        });
      }
      return await decodeSliced(schema, response.text, "pd", endpoint, request.list);
    } catch (error) {
      throw error instanceof Error ? redactError(error, member.http.redact) : error;
    }
  }

  async function get<S extends z.ZodType>(
    path: string,
    schema: S,
    context?: CallContext,
    request: PdRequest = {},
  ): Promise<z.output<S>> {
    const endpoint = `${PD_API}${path}`;
    const first = preferred;
    for (let i = 0; ; i += 1) {
      const index = (first + i) % members.length;
      try {
        const result = await getFrom(
          members[index] as (typeof members)[number],
          endpoint,
          schema,
          context,
          request,
        );
        preferred = index;
        return result;
      } catch (error) {
        const last = i === members.length - 1;
        const stopped =
          context?.signal?.aborted || (context?.deadline ?? Number.POSITIVE_INFINITY) <= Date.now();
        if (last || stopped || !(error instanceof PdError) || !error.retryable) throw error;
      }
    }
  }

  return {
    stores: async (context) =>
      (await get("/stores", storesResponse, context, { search: ALL_STATES, list: STORES_LIST })).stores,
    regionCheck: async (type, context) => {
      const body = await get(`/regions/check/${type}`, regionsResponse, context, { list: REGIONS_LIST });
      return { type, count: body.count, regions: body.regions };
    },
    health: (context) => get("/health", healthResponse, context),
    clusterId: async (context) => (await get("/cluster", clusterResponse, context)).id,
    get: (path, schema, context) => get(path, schema, context),
  };
}

// --- Internal helpers ---

/** Query string and large list of one PD request. */
interface PdRequest {
  readonly search?: URLSearchParams;
  readonly list?: ListAt;
}

/** `?state=0&state=1&state=2`: Up, Offline and Tombstone stores (plain `/stores` leaves Tombstone out). */
const ALL_STATES = new URLSearchParams([
  ["state", "0"],
  ["state", "1"],
  ["state", "2"],
]);

const STORES_LIST: ListAt = { input: ["stores"], element: STORE_ELEMENT };
const REGIONS_LIST: ListAt = { input: ["regions"], element: regionInfo };

/** Error bodies longer than this are shown raw (shortened), not parsed: PD's are a line or two. */
const MAX_ERROR_BODY_PARSED = 64 * 1024;

/** PD's error bodies: a JSON string, an errcode object `{code, msg}`, or plain text. */
function _pdMessage(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed.length > MAX_ERROR_BODY_PARSED) return _shorten(trimmed);
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
