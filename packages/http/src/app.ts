import {
  ConfigError,
  type Logger,
  silentLogger,
  type TicketAction,
  type TicketFilter,
  type TicketStatus,
  type TicketStore,
  ticketDetailToJson,
  ticketToJson,
} from "@operator/core";
import { Hono } from "hono";
import { z } from "zod";
import { readJsonBody } from "./body.ts";
import { createEventHub, type EventHub } from "./event-hub.ts";
import { openApiDocument } from "./openapi.ts";
import { servePage } from "./page.ts";
import { badRequest, HttpProblem, problem, problemFor, problemResponse } from "./problem.ts";
import { actionBody, encodeCursor, eventsQuery, ticketIdParam, ticketListQuery } from "./schemas.ts";
import { sseResponse } from "./sse.ts";
import type { StatusProvider } from "./status.ts";
import type { ApiTokens } from "./tokens.ts";
import { validate } from "./validate.ts";

/** Which requests need a bearer token: writes only (the default) or every API request. */
export type ApiAuthMode = "writes" | "all";

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  readonly store: TicketStore;
  readonly status: StatusProvider;
  /** The accepted tokens; none configured means writes are refused (reads still work unless `all`). */
  readonly tokens: ApiTokens;
  /** @default "writes" */
  readonly auth?: ApiAuthMode;
  /** Serve a page from this directory: `index.html` at `/`, its `assets/` at `/assets/*`. */
  readonly page?: { readonly dir: string };
  /** Event stream timing: the store's feed poll and the keep-alive comment. */
  readonly events?: { readonly pollMs?: number; readonly keepaliveMs?: number };
  /** Where internal errors are logged (never with request headers). */
  readonly logger?: Logger;
}

/** The HTTP API as a Hono app, plus the event hub it streams from (closed with the server). */
export interface HttpApp {
  readonly app: Hono;
  readonly hub: EventHub;
}

/** The content security policy of every answer: same-origin only, no inline script or style. */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
};

/** Path actions and the ticket actions they run. */
const ACTIONS: Readonly<Record<string, TicketAction["type"]>> = {
  ack: "acknowledge",
  diagnose: "diagnose",
  resolve: "resolve",
  hold: "hold",
  unhold: "unhold",
};

const UNRESOLVED: readonly TicketStatus[] = ["open", "acknowledged", "diagnosed"];

/** The base path of every API route. */
export const API_BASE = "/api/v1";

/**
 * Builds the HTTP API over a ticket store (see docs/http-api.md): ticket list, detail and actions,
 * status, a server-sent event stream and the OpenAPI document, with bearer-token auth, problem
 * details for every error, strict security headers and, optionally, the page.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const { store, status, tokens } = options;
  const mode = options.auth ?? "writes";
  const logger = options.logger ?? silentLogger;
  if (mode === "all" && tokens.size === 0) {
    throw new ConfigError("--api-auth all needs a token: set OPERATOR_API_TOKEN or pass --api-tokens-file");
  }
  const hub = createEventHub(store, {
    ...(options.events?.pollMs !== undefined ? { pollMs: options.events.pollMs } : {}),
    logger,
  });
  const app = new Hono();

  app.use("*", async (c, next) => {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
    if (c.req.path.startsWith(API_BASE) && !c.res.headers.has("cache-control")) {
      c.res.headers.set("cache-control", "no-store");
    }
  });

  app.onError((error, c) => {
    const { problem: p, headers } = problemFor(error);
    if (p.status >= 500) logger.error(`HTTP ${c.req.method} ${c.req.path}: ${(error as Error).message}`);
    return problemResponse(p, headers);
  });
  app.notFound((c) => problemResponse(problem(404, `No route ${c.req.method} ${c.req.path.slice(0, 200)}`)));

  /** The token holder's name, or a 401/403 problem when the request needs a token it lacks. */
  const authorize = (header: string | undefined, required: boolean): string | undefined => {
    if (!required) return header === undefined ? undefined : matchToken(header);
    if (tokens.size === 0) {
      throw new HttpProblem(
        problem(
          403,
          "Writes are disabled: no API token is configured (set OPERATOR_API_TOKEN or pass --api-tokens-file)",
        ),
      );
    }
    if (header === undefined) throw unauthorized("This request needs Authorization: Bearer <token>");
    const name = matchToken(header);
    if (name === undefined) throw unauthorized("The token is not valid");
    return name;
  };
  const matchToken = (header: string): string | undefined => {
    const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
    if (!match) throw unauthorized('Use Authorization: Bearer <token> (the scheme must be "Bearer")');
    return tokens.match(match[1] as string);
  };

  const api = new Hono<{ Variables: { tokenName: string | undefined } }>();
  api.use("*", async (c, next) => {
    const write = c.req.method === "POST";
    const reading =
      (c.req.method === "GET" || c.req.method === "HEAD") && c.req.path !== `${API_BASE}/openapi.json`;
    const name = authorize(c.req.header("authorization"), write || (reading && mode === "all"));
    c.set("tokenName", name);
    await next();
  });

  api.get("/tickets", async (c) => {
    const query = validate(ticketListQuery, singleValues(c.req.queries()), "query parameter");
    const filter: TicketFilter = {
      ...statusFilter(query.status),
      ...(query.severity ? { severity: query.severity } : {}),
      ...(query.subject !== undefined ? { subject: query.subject } : {}),
      ...(query.invariant !== undefined ? { invariant: query.invariant } : {}),
      ...(query.held !== undefined ? { held: query.held } : {}),
      ...(query.silenced !== undefined ? { silenced: query.silenced } : {}),
      ...(query.q !== undefined && query.q !== "" ? { search: query.q } : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { before: query.cursor } : {}),
    };
    const page = await store.listTickets(filter);
    return c.json({
      tickets: page.tickets.map(ticketToJson),
      next: page.nextCursor === null ? null : encodeCursor(page.nextCursor),
    });
  });

  api.get("/tickets/:id", async (c) => {
    const id = validateId(c.req.param("id"));
    return c.json(ticketDetailToJson(await store.getTicket(id)));
  });

  api.post("/tickets/:id/:action", async (c) => {
    const type = ACTIONS[c.req.param("action")];
    if (type === undefined) {
      throw new HttpProblem(
        problem(
          404,
          `Unknown action "${c.req.param("action").slice(0, 40)}" (expected one of: ${Object.keys(ACTIONS).join(", ")})`,
        ),
      );
    }
    const id = validateId(c.req.param("id"));
    const body = validate(actionBody, await readJsonBody(c.req.raw), "field");
    const actor = body.by ?? c.get("tokenName") ?? "api";
    const comment = body.comment !== undefined ? { comment: body.comment } : {};
    let action: TicketAction;
    if (type === "diagnose") {
      if (body.text === undefined || body.text.trim() === "")
        badRequest("text", "diagnose needs the diagnosis text");
      action = { type, actor, diagnosis: body.text, ...comment };
    } else {
      if (body.text !== undefined) badRequest("text", `text is the diagnosis: only diagnose takes it`);
      action = { type, actor, ...comment };
    }
    return c.json(ticketToJson(await store.applyAction(id, action)));
  });

  api.get("/status", async (c) => {
    const [subjects, counts] = await Promise.all([status.subjects(), status.counts()]);
    return c.json({ subjects, counts, generatedAt: Date.now() });
  });

  api.get("/events", async (c) => {
    const query = validate(eventsQuery, singleValues(c.req.queries()), "query parameter");
    const header = c.req.header("last-event-id");
    let afterId: number | undefined;
    if (header !== undefined && header.trim() !== "") {
      if (!/^\d{1,15}$/.test(header.trim())) {
        badRequest(
          "Last-Event-ID",
          "Invalid Last-Event-ID (expected the id of the last event received, a whole number)",
        );
      }
      afterId = Number(header.trim());
    } else if (query.lastEventId !== undefined) {
      afterId = Number(query.lastEventId);
    }
    const incoming = (c.env as { incoming?: { socket?: { setTimeout(ms: number): void } } } | undefined)
      ?.incoming;
    // A stream is quiet between events: the listener's idle timeout must not cut it.
    incoming?.socket?.setTimeout(0);
    return sseResponse(hub, afterId, {
      signal: c.req.raw.signal,
      ...(options.events?.keepaliveMs !== undefined ? { keepaliveMs: options.events.keepaliveMs } : {}),
    });
  });

  api.get("/openapi.json", (c) => c.json(openApiDocument()));

  for (const [path, allow] of [
    ["/tickets", "GET"],
    ["/tickets/:id", "GET"],
    ["/tickets/:id/:action", "POST"],
    ["/status", "GET"],
    ["/events", "GET"],
    ["/openapi.json", "GET"],
  ] as const) {
    api.all(path, (c) =>
      problemResponse(problem(405, `Use ${allow} on ${c.req.path.slice(0, 200)}`), { allow }),
    );
  }

  app.route(API_BASE, api);
  if (options.page) servePage(app, options.page.dir);
  return { app, hub };
}

// --- Internal helpers ---

function unauthorized(detail: string): HttpProblem {
  return new HttpProblem(problem(401, detail), { "www-authenticate": 'Bearer realm="operator"' });
}

const idParams = z.object({ id: ticketIdParam });

function validateId(value: string): number {
  return validate(idParams, { id: value }, "field").id;
}

/** Query values: list parameters may repeat (joined with commas); any other may appear once. */
function singleValues(queries: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(queries)) {
    if (values.length > 1 && name !== "status" && name !== "severity") {
      badRequest(name, `Query parameter "${name.slice(0, 60)}" is given more than once`);
    }
    out[name] = values.join(",");
  }
  return out;
}

function statusFilter(
  status: readonly (TicketStatus | "unresolved" | "all")[] | undefined,
): Pick<TicketFilter, "status" | "includeResolved"> {
  if (status === undefined) return {};
  if (status.includes("all")) return { includeResolved: true };
  const out = new Set<TicketStatus>();
  for (const s of status) {
    if (s === "unresolved") for (const u of UNRESOLVED) out.add(u);
    else out.add(s as TicketStatus);
  }
  return { status: [...out] };
}
