import { execFileSync } from "node:child_process";
import { request as httpsRequest } from "node:https";
import { join } from "node:path";
import { createMemoryTicketStore } from "@operator/core";
import type { SqliteTicketStore } from "@operator/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apiTokens,
  createEventHub,
  createHttpApp,
  feedItemJson,
  type HttpServer,
  latestEventId,
  type StatusProvider,
  startHttpServer,
} from "../src/index.ts";
import { connectSse } from "../src/testing/index.ts";
import { openTickets, sqliteStore, tempDir } from "./helpers/seed.ts";

const TOKEN = "alice-token-0123456789";
const tokens = apiTokens([["alice", TOKEN]], "test");
const status: StatusProvider = {
  subjects: async () => [],
  counts: async () => ({
    byStatus: { open: 0, acknowledged: 0, diagnosed: 0, resolved: 0 },
    bySeverity: { critical: 0, warning: 0, info: 0 },
  }),
};

let store: SqliteTicketStore;
let server: HttpServer;

beforeAll(async () => {
  store = sqliteStore();
  await openTickets(store, [{ key: "prod/store_down/1" }, { key: "prod/store_down/2" }]);
  server = await startHttpServer({
    listen: { host: "127.0.0.1", port: 0 },
    store,
    status,
    tokens,
    events: { pollMs: 50, keepaliveMs: 200 },
  });
});
afterAll(async () => {
  await server?.close();
  store?.close();
});

describe("GET /api/v1/events", () => {
  it("streams each committed event once, from now, with its id and its ticket; keeps alive with comments", async () => {
    const sse = await connectSse(`${server.url}/api/v1/events`);
    try {
      expect(sse.status).toBe(200);
      expect(sse.headers["content-type"]).toBe("text/event-stream; charset=utf-8");
      await openTickets(store, [{ key: "prod/store_down/3", message: "Store 3 is Down" }]);
      await store.applyAction(1, { type: "acknowledge", actor: "bob", comment: "looking" });
      const [opened, acked] = await sse.waitFor(2);
      const stored = await store.listEventsAfter(0, 1000);
      const last = stored.slice(-2);
      expect(opened?.id).toBe(String(last[0]?.event.id));
      expect(opened?.event).toBe("ticket");
      const first = feedItemJson.parse(JSON.parse(opened?.data ?? ""));
      expect(first).toMatchObject({
        event: { kind: "opened", actor: "monitor" },
        ticket: { key: "prod/store_down/3", message: "Store 3 is Down", status: "open" },
      });
      expect(feedItemJson.parse(JSON.parse(acked?.data ?? ""))).toMatchObject({
        event: { kind: "acknowledged", actor: "bob", comment: "looking", from: "open", to: "acknowledged" },
        ticket: { id: 1, status: "acknowledged" },
      });
      await sse.waitForComment("keepalive");
      // Nothing older than the connection came, and nothing twice.
      expect(sse.events.map((e) => e.id)).toEqual([String(last[0]?.event.id), String(last[1]?.event.id)]);
    } finally {
      sse.close();
    }
  });

  it("resumes after Last-Event-ID (header or ?lastEventId=) with every event missed, in order", async () => {
    const before = await latestEventId(store);
    await openTickets(
      store,
      Array.from({ length: 700 }, (_, i) => ({ key: `resume/store_down/${i}` })),
    );
    const after = await latestEventId(store);
    expect(after - before).toBe(700);
    for (const how of ["header", "query"] as const) {
      const missed = (await latestEventId(store)) - before;
      const url = `${server.url}/api/v1/events${how === "query" ? `?lastEventId=${before}` : ""}`;
      const sse = await connectSse(url, how === "header" ? { "last-event-id": String(before) } : {});
      try {
        const events = await sse.waitFor(missed);
        expect(events.map((e) => Number(e.id))).toEqual(
          Array.from({ length: missed }, (_, i) => before + 1 + i),
        );
        await openTickets(store, [{ key: `resume/high_latency/${how}` }]);
        const [live] = (await sse.waitFor(missed + 1)).slice(missed);
        expect(JSON.parse(live?.data ?? "").ticket.key).toBe(`resume/high_latency/${how}`);
        expect(sse.events).toHaveLength(missed + 1);
      } finally {
        sse.close();
      }
    }
  });

  it("treats a Last-Event-ID past the newest event (a database replaced meanwhile) as now", async () => {
    const sse = await connectSse(`${server.url}/api/v1/events`, { "last-event-id": "999999999" });
    try {
      await openTickets(store, [{ key: "replaced/store_down/1" }]);
      const [event] = await sse.waitFor(1);
      expect(JSON.parse(event?.data ?? "").ticket.key).toBe("replaced/store_down/1");
    } finally {
      sse.close();
    }
  });

  it("refuses a malformed Last-Event-ID with a 400 naming it", async () => {
    const response = await fetch(`${server.url}/api/v1/events`, { headers: { "last-event-id": "abc" } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ field: "Last-Event-ID" });
  });

  it("reads the store once per poll however many clients listen", async () => {
    const memory = createMemoryTicketStore();
    await openTickets(memory, [{ key: "s/i/0" }]);
    let reads = 0;
    const counted = {
      ...memory,
      listEventsAfter: (after: number, limit: number) => {
        reads++;
        return memory.listEventsAfter(after, limit);
      },
    };
    const hub = createEventHub(counted, { pollMs: 25 });
    const received: number[][] = Array.from({ length: 100 }, () => []);
    const subscriptions = await Promise.all(
      received.map((ids) =>
        hub.subscribe(undefined, { send: (messages) => ids.push(...messages.map((m) => m.id)) }),
      ),
    );
    const probing = reads;
    const polls = 8;
    for (let i = 1; i <= polls; i++) {
      await openTickets(memory, [{ key: `s/i/${i}` }]);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (const s of subscriptions) s.close();
    hub.close();
    for (const ids of received) expect(ids).toEqual([2, 3, 4, 5, 6, 7, 8, 9]);
    // One read per poll (about one per 25 ms over ~300 ms), not one per client per poll.
    expect(reads - probing).toBeLessThan(40);
  });

  it("finds the newest event id with the feed alone", async () => {
    const memory = createMemoryTicketStore();
    expect(await latestEventId(memory)).toBe(0);
    for (let n = 1; n <= 37; n++) {
      await openTickets(memory, [{ key: `s/i/${n}` }]);
      expect(await latestEventId(memory)).toBe(n);
    }
  });
});

describe("HTTPS", () => {
  it("serves the API over TLS with --tls-cert/--tls-key", async () => {
    const dir = tempDir();
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ],
      { stdio: "ignore" },
    );
    const tls = await startHttpServer({
      listen: { host: "127.0.0.1", port: 0 },
      store,
      status,
      tokens,
      tls: { certFile: cert, keyFile: key },
    });
    try {
      expect(tls.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const { readFileSync } = await import("node:fs");
      const body = await new Promise<string>((resolve, reject) => {
        httpsRequest(`${tls.url}/api/v1/tickets/1`, { ca: readFileSync(cert) }, (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve(text));
        })
          .on("error", reject)
          .end();
      });
      expect(JSON.parse(body)).toMatchObject({ id: 1, key: "prod/store_down/1" });
    } finally {
      await tls.close();
    }
    await expect(
      startHttpServer({
        listen: { host: "127.0.0.1", port: 0 },
        store,
        status,
        tokens,
        tls: { certFile: join(dir, "missing.pem"), keyFile: key },
      }),
    ).rejects.toThrow(/--tls-cert .*missing\.pem cannot be read: ENOENT/);
  });
});

describe("event stream clients", () => {
  it("leave the hub when they disconnect", async () => {
    const memory = createMemoryTicketStore();
    const { app, hub } = createHttpApp({ store: memory, status, tokens, events: { pollMs: 20 } });
    const { createServer } = await import("node:http");
    const { getRequestListener } = await import("@hono/node-server");
    const listener = getRequestListener(app.fetch);
    const plain = createServer((req, res) => void listener(req, res));
    await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
    const { port } = plain.address() as { port: number };
    try {
      const clients = await Promise.all(
        Array.from({ length: 5 }, () => connectSse(`http://127.0.0.1:${port}/api/v1/events`)),
      );
      expect(hub.clients).toBe(5);
      for (const c of clients.slice(0, 3)) c.close();
      await waitUntil(() => hub.clients === 2);
      for (const c of clients.slice(3)) c.close();
      await waitUntil(() => hub.clients === 0);
    } finally {
      hub.close();
      plain.closeAllConnections();
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  expect(done()).toBe(true);
}

describe("the event hub", () => {
  it("starts a client without a resume point at the newest event, even after a time without clients", async () => {
    const memory = createMemoryTicketStore();
    await openTickets(memory, [{ key: "s/i/1" }]);
    const hub = createEventHub(memory, { pollMs: 10 });
    try {
      const first: number[] = [];
      const a = await hub.subscribe(undefined, { send: (m) => first.push(...m.map((x) => x.id)) });
      await openTickets(memory, [{ key: "s/i/2" }]);
      await waitUntil(() => first.length === 1);
      a.close();
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Nobody listens while these happen: no poll reads them.
      await openTickets(memory, [{ key: "s/i/3" }]);
      await openTickets(memory, [{ key: "s/i/4" }]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const second: number[] = [];
      const b = await hub.subscribe(undefined, { send: (m) => second.push(...m.map((x) => x.id)) });
      await openTickets(memory, [{ key: "s/i/5" }]);
      await waitUntil(() => second.length >= 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(first).toEqual([2]);
      expect(second).toEqual([5]);
      b.close();
    } finally {
      hub.close();
    }
  });
});
