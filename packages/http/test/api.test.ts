import { mkdirSync, writeFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { ticketDetailToJson, ticketToJson } from "@operator/core";
import type { SqliteTicketStore } from "@operator/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiTokens,
  type HttpServer,
  problemJson,
  type StatusProvider,
  startHttpServer,
  statusJson,
  ticketDetailJson,
  ticketListJson,
} from "../src/index.ts";
import { openTickets, sqliteStore, tempDir } from "./helpers/seed.ts";

const ALICE = "alice-token-0123456789";
const BOB = "bob-token-abcdefghijkl";
const tokens = apiTokens(
  [
    ["alice", ALICE],
    ["bob", BOB],
  ],
  "test",
);

const status: StatusProvider = {
  subjects: async () => [
    {
      name: "prod",
      kind: "tikv",
      lastCycleAt: 1000,
      nextCycleAt: 31_000,
      unknown: [{ key: "prod/x/1", reason: "no data" }],
    },
  ],
  counts: async () => ({
    byStatus: { open: 1, acknowledged: 0, diagnosed: 0, resolved: 0 },
    bySeverity: { critical: 1, warning: 0, info: 0 },
  }),
};

let store: SqliteTicketStore;
let server: HttpServer;
let base: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });
const post = (path: string, body?: unknown, headers: Record<string, string> = auth(ALICE)) =>
  fetch(`${base}${path}`, {
    method: "POST",
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function problemOf(response: Response) {
  expect(response.headers.get("content-type")).toBe("application/problem+json");
  return problemJson.parse(await response.json());
}

beforeAll(async () => {
  store = sqliteStore();
  await openTickets(store, [
    { key: "prod/store_down/1", severity: "critical", message: "Store 1 is Down" },
    { key: "prod/high_latency/2", severity: "warning", message: "p99 latency 900ms on store 2" },
    { key: "stage/low_disk_space/3", severity: "info", message: "Disk 91% full" },
  ]);
  server = await startHttpServer({ listen: { host: "127.0.0.1", port: 0 }, store, status, tokens });
  base = server.url;
});
afterAll(async () => {
  await server?.close();
  store?.close();
});

describe("GET /api/v1/tickets", () => {
  it("lists unresolved tickets newest first, each exactly as tickets list --json prints it", async () => {
    const response = await get("/api/v1/tickets");
    expect(response.status).toBe(200);
    const body = ticketListJson.parse(await response.json());
    const page = await store.listTickets();
    expect(body).toEqual({ tickets: JSON.parse(JSON.stringify(page.tickets.map(ticketToJson))), next: null });
    expect(body.tickets.map((t) => t.id)).toEqual([3, 2, 1]);
  });

  it("filters like the CLI: status, severity, subject, invariant, held, silenced, and searches key and message", async () => {
    const ids = async (query: string) =>
      ticketListJson.parse(await (await get(`/api/v1/tickets?${query}`)).json()).tickets.map((t) => t.id);
    expect(await ids("severity=critical,warning")).toEqual([2, 1]);
    expect(await ids("subject=stage")).toEqual([3]);
    expect(await ids("invariant=high_latency")).toEqual([2]);
    expect(await ids("q=STORE+1")).toEqual([1]);
    expect(await ids("q=disk")).toEqual([3]);
    expect(await ids("silenced=false")).toEqual([3, 2, 1]);
    expect(await ids("silenced=true")).toEqual([]);
    expect(await ids("held=true")).toEqual([]);
    expect(await ids("status=resolved")).toEqual([]);
    expect(await ids("status=unresolved&severity=info")).toEqual([3]);
    expect(await ids("status=open&status=acknowledged")).toEqual([3, 2, 1]);
  });

  it("answers 400 naming the parameter, with the CLI's words", async () => {
    const cases: [string, string, RegExp][] = [
      [
        "status=closed",
        "status",
        /Invalid status "closed" \(expected one of: open, acknowledged, diagnosed, resolved, unresolved, all\)/,
      ],
      ["severity=fatal", "severity", /Invalid severity "fatal"/],
      ["limit=0", "limit", /Invalid limit "0" \(expected a whole number, from 1 to 1000\)/],
      ["limit=1001", "limit", /from 1 to 1000/],
      ["held=yes", "held", /Invalid held "yes" \(expected true or false\)/],
      ["cursor=zzz", "cursor", /Invalid cursor/],
      ["statuss=open", "statuss", /Unknown query parameter "statuss"/],
      ["subject=a&subject=b", "subject", /given more than once/],
      [`q=${"x".repeat(201)}`, "q", /at most 200 characters/],
    ];
    for (const [query, field, detail] of cases) {
      const response = await get(`/api/v1/tickets?${query}`);
      expect(response.status, query).toBe(400);
      const p = await problemOf(response);
      expect(p, query).toMatchObject({ status: 400, field, title: "Invalid request" });
      expect(p.detail, query).toMatch(detail);
    }
  });
});

describe("GET /api/v1/tickets/{id}", () => {
  it("answers exactly what tickets show --json prints", async () => {
    const response = await get("/api/v1/tickets/2");
    expect(response.status).toBe(200);
    const body = ticketDetailJson.parse(await response.json());
    expect(body).toEqual(JSON.parse(JSON.stringify(ticketDetailToJson(await store.getTicket(2)))));
    expect(body.events.map((e) => e.kind)).toEqual(["opened"]);
    expect(body.firstValues).toEqual({ value: 1 });
  });

  it("answers 404 for an unknown ticket and 400 for a malformed id", async () => {
    const missing = await get("/api/v1/tickets/999");
    expect(missing.status).toBe(404);
    expect(await problemOf(missing)).toMatchObject({ status: 404, detail: "No ticket with id 999" });
    const bad = await get("/api/v1/tickets/abc");
    expect(bad.status).toBe(400);
    expect(await problemOf(bad)).toMatchObject({
      field: "id",
      detail: 'Invalid ticket id "abc" (expected a whole number, 1 or more)',
    });
  });
});

describe("POST /api/v1/tickets/{id}/{action}", () => {
  it("acknowledges as the token's name, diagnoses with text, holds, unholds and resolves, each written to the database", async () => {
    await openTickets(store, [{ key: "prod/store_down/9" }]);
    const id = (await store.listTickets({ subject: "prod", invariant: "store_down" })).tickets[0]
      ?.id as number;
    const ack = await post(`/api/v1/tickets/${id}/ack`);
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ id, status: "acknowledged", acknowledgedBy: "alice" });
    const diagnose = await post(
      `/api/v1/tickets/${id}/diagnose`,
      { text: "disk controller died", by: "carol" },
      auth(BOB),
    );
    expect(await diagnose.json()).toMatchObject({ status: "diagnosed", diagnosis: "disk controller died" });
    expect(
      await (await post(`/api/v1/tickets/${id}/hold`, { comment: "replacing the disk" })).json(),
    ).toMatchObject({
      held: true,
    });
    expect(await (await post(`/api/v1/tickets/${id}/unhold`)).json()).toMatchObject({ held: false });
    const resolved = await post(`/api/v1/tickets/${id}/resolve`, { comment: "disk replaced" }, auth(BOB));
    expect(resolved.status).toBe(200);
    expect(ticketToJson((await store.getTicket(id)).ticket)).toEqual(await resolved.json());
    const events = (await store.getTicket(id)).events.map((e) => [e.kind, e.actor, e.comment]);
    expect(events).toEqual([
      ["opened", "monitor", "prod/store_down/9 is violated"],
      ["acknowledged", "alice", null],
      ["diagnosed", "carol", "disk controller died"],
      ["held", "alice", "replacing the disk"],
      ["unheld", "alice", null],
      ["resolved", "bob", "disk replaced"],
    ]);
    const again = await post(`/api/v1/tickets/${id}/ack`);
    expect(again.status).toBe(409);
    expect(await problemOf(again)).toMatchObject({
      status: 409,
      title: "Refused transition",
      detail: `Ticket ${id} cannot move from resolved to acknowledged`,
    });
    const hold = await post(`/api/v1/tickets/${id}/hold`);
    expect(await problemOf(hold)).toMatchObject({
      status: 409,
      detail: `Ticket ${id} is resolved: it cannot be held`,
    });
  });

  it("refuses bodies: diagnose without text, text elsewhere, unknown fields, bad JSON, wrong type, too large", async () => {
    const cases: [Response, number, Record<string, unknown>][] = [
      [
        await post("/api/v1/tickets/1/diagnose", {}),
        400,
        { field: "text", detail: "diagnose needs the diagnosis text" },
      ],
      [await post("/api/v1/tickets/1/ack", { text: "x" }), 400, { field: "text" }],
      [
        await post("/api/v1/tickets/1/ack", { by: "x", force: true }),
        400,
        { field: "force", detail: 'Unknown field "force"' },
      ],
      [await post("/api/v1/tickets/1/ack", { by: 7 }), 400, { field: "by" }],
      [await post("/api/v1/tickets/1/ack", { by: "  " }), 400, { field: "by" }],
      [await post("/api/v1/tickets/1/ack", { by: "eve\nresolved by admin" }), 400, { field: "by" }],
      [
        await fetch(`${base}/api/v1/tickets/1/ack`, {
          method: "POST",
          headers: { ...auth(ALICE), "content-type": "application/json" },
          body: "{not json",
        }),
        400,
        { field: "body", detail: "The body is not valid JSON" },
      ],
      [
        await fetch(`${base}/api/v1/tickets/1/ack`, {
          method: "POST",
          headers: { ...auth(ALICE), "content-type": "text/plain" },
          body: "ack",
        }),
        415,
        { status: 415 },
      ],
      [
        await fetch(`${base}/api/v1/tickets/1/ack`, {
          method: "POST",
          headers: { ...auth(ALICE), "content-type": "application/json" },
          body: JSON.stringify({ comment: "x".repeat(17 * 1024) }),
        }),
        413,
        { status: 413, detail: "The body is larger than 16384 bytes" },
      ],
      [
        await post("/api/v1/tickets/1/close"),
        404,
        { detail: 'Unknown action "close" (expected one of: ack, diagnose, resolve, hold, unhold)' },
      ],
      [await post("/api/v1/tickets/424242/ack"), 404, { detail: "No ticket with id 424242" }],
    ];
    for (const [response, code, expected] of cases) {
      expect(response.status).toBe(code);
      expect(await problemOf(response)).toMatchObject(expected);
    }
    // Nothing above changed ticket 1.
    expect((await store.getTicket(1)).ticket.status).toBe("open");
  });
});

describe("authentication", () => {
  it("refuses writes without a token, with a wrong token or another scheme (401), and never echoes the token", async () => {
    for (const headers of [{}, auth("wrong-token-000000000000"), { authorization: `Basic ${ALICE}` }]) {
      const response = await post("/api/v1/tickets/1/ack", undefined, headers);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer realm="operator"');
      const text = await response.text();
      expect(text).not.toContain("wrong-token");
      expect(text).not.toContain(ALICE);
      expect(JSON.parse(text)).toMatchObject({ status: 401, title: "Missing or invalid token" });
    }
    expect((await store.getTicket(1)).ticket.status).toBe("open");
  });

  it("serves reads without a token by default, and the security headers on every answer", async () => {
    const response = await get("/api/v1/status");
    expect(response.status).toBe(200);
    expect(statusJson.parse(await response.json())).toMatchObject({
      subjects: [{ name: "prod", kind: "tikv", unknown: [{ key: "prod/x/1", reason: "no data" }] }],
      counts: { bySeverity: { critical: 1 } },
    });
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("with --api-auth all, refuses reads without a valid token", async () => {
    const all = await startHttpServer({
      listen: { host: "127.0.0.1", port: 0 },
      store,
      status,
      tokens,
      auth: "all",
    });
    try {
      for (const path of ["/api/v1/tickets", "/api/v1/tickets/1", "/api/v1/status", "/api/v1/events"]) {
        expect((await fetch(`${all.url}${path}`)).status, path).toBe(401);
        expect(
          (await fetch(`${all.url}${path}`, { headers: auth("nope-nope-nope-nope") })).status,
          path,
        ).toBe(401);
      }
      expect((await fetch(`${all.url}/api/v1/tickets`, { headers: auth(BOB) })).status).toBe(200);
      expect((await fetch(`${all.url}/api/v1/openapi.json`)).status).toBe(200);
    } finally {
      await all.close();
    }
  });

  it("without any token configured, refuses writes with a 403 saying how to configure one", async () => {
    const none = await startHttpServer({
      listen: { host: "127.0.0.1", port: 0 },
      store,
      status,
      tokens: apiTokens([], "none"),
    });
    try {
      const response = await fetch(`${none.url}/api/v1/tickets/1/ack`, {
        method: "POST",
        headers: auth(ALICE),
      });
      expect(response.status).toBe(403);
      expect((await problemOf(response)).detail).toMatch(/set OPERATOR_API_TOKEN or pass --api-tokens-file/);
      expect((await fetch(`${none.url}/api/v1/tickets`)).status).toBe(200);
    } finally {
      await none.close();
    }
    await expect(
      startHttpServer({
        listen: { host: "127.0.0.1", port: 0 },
        store,
        status,
        tokens: apiTokens([], "none"),
        auth: "all",
      }),
    ).rejects.toThrow(/--api-auth all needs a token/);
  });
});

describe("pagination", () => {
  it("walks 2,500 tickets with the cursor, each exactly once, newest first", async () => {
    const paged = sqliteStore();
    const openings = Array.from({ length: 2500 }, (_, i) => ({ key: `big/store_down/${i}` }));
    await openTickets(paged, openings);
    const api = await startHttpServer({
      listen: { host: "127.0.0.1", port: 0 },
      store: paged,
      status,
      tokens,
    });
    try {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `limit=333${cursor ? `&cursor=${cursor}` : ""}`;
        const body = ticketListJson.parse(await (await fetch(`${api.url}/api/v1/tickets?${query}`)).json());
        seen.push(...body.tickets.map((t) => t.id));
        cursor = body.next;
        pages++;
      } while (cursor !== null);
      expect(pages).toBe(Math.ceil(2500 / 333));
      expect(seen).toHaveLength(2500);
      expect(new Set(seen).size).toBe(2500);
      expect(seen).toEqual([...seen].sort((a, b) => b - a));
    } finally {
      await api.close();
      paged.close();
    }
  });
});

describe("GET /api/v1/openapi.json", () => {
  it("is an OpenAPI 3.1 document with every route and the request schemas", async () => {
    const doc = (await (await get("/api/v1/openapi.json")).json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { parameters?: { name: string; schema: unknown }[]; requestBody?: unknown }>
      >;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        "/events",
        "/openapi.json",
        "/status",
        "/tickets",
        "/tickets/{id}",
        "/tickets/{id}/ack",
        "/tickets/{id}/diagnose",
        "/tickets/{id}/hold",
        "/tickets/{id}/resolve",
        "/tickets/{id}/unhold",
      ].sort(),
    );
    expect(doc.paths["/tickets"]?.get?.parameters?.map((p) => p.name)).toEqual([
      "status",
      "subject",
      "invariant",
      "severity",
      "held",
      "silenced",
      "q",
      "limit",
      "cursor",
    ]);
    // Every reference points inside the document.
    const text = JSON.stringify(doc);
    const schemas = (doc as unknown as { components: { schemas: Record<string, unknown> } }).components
      .schemas;
    const refs = [...text.matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(schemas).toHaveProperty(ref.slice("#/components/schemas/".length));
    }
    expect(doc.paths["/tickets/{id}/diagnose"]?.post?.requestBody).toMatchObject({
      content: { "application/json": { schema: { type: "object", additionalProperties: false } } },
    });
  });
});

describe("errors and limits", () => {
  it("answers 404 and 405 as problems, and 431 for oversized headers", async () => {
    const unknown = await get("/api/v1/nothing");
    expect(unknown.status).toBe(404);
    await problemOf(unknown);
    const wrongMethod = await fetch(`${base}/api/v1/tickets`, { method: "DELETE" });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get("allow")).toBe("GET");
    const huge = await get("/api/v1/tickets", { "x-filler": "x".repeat(20_000) }).catch(
      (error: Error) => error,
    );
    expect(huge instanceof Response ? huge.status : 431).toBe(431);
  });
});

describe("the page", () => {
  it("serves index.html and assets from the page directory with a strict CSP, and nothing outside it", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>Operator</title>");
    writeFileSync(join(dir, "assets", "app.js"), "export {};\n");
    writeFileSync(join(dir, "..secret.txt"), "no");
    const paged = await startHttpServer({
      listen: { host: "127.0.0.1", port: 0 },
      store,
      status,
      tokens,
      page: { dir },
    });
    try {
      const index = await fetch(`${paged.url}/`);
      expect(index.status).toBe(200);
      expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(index.headers.get("content-security-policy")).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
      );
      expect(await index.text()).toContain("<title>Operator</title>");
      const script = await fetch(`${paged.url}/assets/app.js`);
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      for (const path of [
        "/assets/..%2F..secret.txt",
        "/assets/%2e%2e/..secret.txt",
        "/assets/",
        "/assets/missing.js",
      ]) {
        expect(await rawStatus(`${paged.url}${path}`), path).toBe(404);
      }
    } finally {
      await paged.close();
    }
  });
});

/** The status of a GET sent with its path exactly as written (fetch would normalise `..`). */
function rawStatus(url: string): Promise<number> {
  const { origin } = new URL(url);
  const path = url.slice(origin.length);
  return new Promise((resolve, reject) => {
    httpGet(`${origin}/`, { path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on("error", reject);
  });
}
