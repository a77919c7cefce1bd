import { createServer } from "node:net";
import type { CycleSnapshot } from "@operator/core";
import { realPlan, seeded, TestWorld } from "@operator/core/testing";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  knownMigrations,
  openPostgresTicketStore,
  PostgresReadOnlyError,
  PostgresSchemaMissingError,
  PostgresSchemaTooNewError,
  type PostgresTicketStore,
  PostgresUnavailableError,
} from "../src/index.ts";
import { startTestPostgres, type TestPostgres } from "../src/testing/index.ts";

let server: TestPostgres;
const stores: PostgresTicketStore[] = [];
const clients: postgres.Sql[] = [];

beforeAll(async () => {
  server = await startTestPostgres({ password: "pg-test-Secret-42" });
});
afterAll(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const client of clients.splice(0)) await client.end({ timeout: 1 });
  await server?.stop();
});

async function open(url: string, options: Parameters<typeof openPostgresTicketStore>[1] = {}) {
  const store = await openPostgresTicketStore(url, options);
  stores.push(store);
  return store;
}

function raw(url: string): postgres.Sql {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  clients.push(sql);
  return sql;
}

const violated = (entity: string) => ({
  alpha: {
    store_down: [{ entity, outcome: "violated" as const, message: "down", values: { v: 1 } }],
    high_latency: [],
  },
});

describe("the PostgreSQL schema itself", () => {
  it("refuses a second unresolved ticket for a key in plain SQL (the partial unique index)", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    await store.recordCycle(["alpha"], realPlan("c1", Date.now(), violated("1")));
    const sql = raw(url);
    const copy = sql`
      INSERT INTO tickets (key, subject, invariant, entity, severity, status, message, first_seen_at,
        last_seen_at, batch_key, first_values, last_values, created_at, updated_at)
      SELECT key, subject, invariant, entity, severity, 'acknowledged', message, first_seen_at, last_seen_at,
        batch_key, first_values, last_values, created_at, updated_at FROM tickets`;
    await expect(copy).rejects.toMatchObject({
      code: "23505",
      constraint_name: "tickets_one_unresolved_per_key",
    });
  });

  it("keeps history append-only: events cannot change or go, tickets cannot be deleted or reopened", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const [ticket] = (await store.recordCycle(["alpha"], realPlan("c1", Date.now(), violated("1")))).opened;
    await store.applyAction(ticket?.id ?? 0, { type: "resolve", actor: "alice" });
    const sql = raw(url);
    await expect(sql`UPDATE ticket_events SET comment = 'x'`).rejects.toThrow(
      /append-only: events cannot be changed/,
    );
    await expect(sql`DELETE FROM ticket_events`).rejects.toThrow(/append-only: events cannot be deleted/);
    await expect(sql`TRUNCATE ticket_events CASCADE`).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM tickets`).rejects.toThrow(/never deleted/);
    await expect(sql`UPDATE tickets SET status = 'open', resolved_at = NULL`).rejects.toThrow(
      /cannot be reopened/,
    );
    expect((await store.getTicket(ticket?.id ?? 0)).events.map((e) => e.kind)).toEqual([
      "opened",
      "resolved",
    ]);
  });

  it("rewrites recurring tickets in place (HOT updates): steady cycles barely grow the indexes", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const many = {
      alpha: {
        store_down: Array.from({ length: 1000 }, (_, i) => ({
          entity: String(i),
          outcome: "violated" as const,
          message: "down",
          values: { v: 1 },
        })),
        high_latency: [],
      },
    };
    const t0 = Date.now();
    await store.recordCycle(["alpha"], realPlan("c0", t0, many));
    const sql = raw(url);
    const indexBytes = async () =>
      Number((await sql`SELECT pg_relation_size('tickets_key_id') AS bytes`)[0]?.bytes);
    const before = await indexBytes();
    for (let n = 1; n <= 30; n++) {
      const result = await store.recordCycle(["alpha"], realPlan(`c${n}`, t0 + n * 1000, many));
      expect(result.changed).toBe(1000);
    }
    // 30,000 row versions: without room on the pages, many add an index entry (10 more pages here).
    expect(await indexBytes()).toBeLessThanOrEqual(before + 3 * 8192);
    expect((await store.listTickets()).tickets[0]?.occurrenceCount).toBe(31);
  });
});

describe("opening many tickets at once", () => {
  it("stores every text exactly as given: quotes, braces, commas, backslashes, NULL, newlines, emoji", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const texts = [
      'say "hi"',
      "{a,b}",
      'back\\slash \\"',
      "NULL",
      "null",
      "",
      "two\nlines\ttab",
      "ünï 🚀",
      "'; DROP",
    ];
    const results = {
      alpha: {
        store_down: texts.map((message, i) => ({
          entity: String(i),
          outcome: "violated" as const,
          message,
          values: { text: message, n: i },
        })),
        high_latency: [],
      },
    };
    const { opened } = await store.recordCycle(["alpha"], realPlan("c1", Date.UTC(2026, 0, 1), results));
    expect(opened.map((t) => t.lastValues.text)).toEqual(texts);
    const fresh = await open(url);
    for (const ticket of opened) {
      const detail = await fresh.getTicket(ticket.id);
      expect(detail.ticket).toEqual(ticket);
      expect(detail.events.map((e) => [e.kind, e.ticketId])).toEqual([["opened", ticket.id]]);
    }
    expect(opened.map((t) => t.message)).toEqual(texts.map((text) => expect.stringContaining(text)));
  });
});

describe("the snapshot cache between cycles", () => {
  const at = (n: number) => Date.UTC(2026, 0, 1) + n * 1000;
  const results = (violated: readonly string[], latency = 1) => ({
    alpha: {
      store_down: ["1", "2", "3"].map((entity) =>
        violated.includes(entity)
          ? { entity, outcome: "violated" as const, message: `down ${latency}`, values: { latency } }
          : { entity, outcome: "ok" as const },
      ),
      high_latency: [],
    },
  });
  async function peek(store: PostgresTicketStore): Promise<CycleSnapshot> {
    let seen: CycleSnapshot | undefined;
    await store
      .recordCycle(["alpha"], (snapshot) => {
        seen = snapshot;
        throw new Error("only looking");
      })
      .catch(() => undefined);
    if (seen === undefined) throw new Error("no snapshot");
    return seen;
  }

  it("hands the planner what a fresh store reads, after opening, changing and resolving", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    await store.recordCycle(["alpha"], realPlan("c1", at(1), results(["1", "2"])));
    for (let n = 2; n <= 6; n++)
      await store.recordCycle(["alpha"], realPlan(`c${n}`, at(n), results(["1", "2"], n)));
    await store.recordCycle(["alpha"], realPlan("c7", at(7), results(["1", "3"])));
    await store.recordCycle(["alpha"], realPlan("c8", at(8), results(["1", "3"])));
    const cached = await peek(store);
    const fresh = await peek(await open(url));
    expect(Object.fromEntries(cached.openTickets)).toEqual(Object.fromEntries(fresh.openTickets));
    expect(Object.fromEntries(cached.states)).toEqual(Object.fromEntries(fresh.states));
    expect(Object.fromEntries(cached.identities)).toEqual(Object.fromEntries(fresh.identities));
    expect([...cached.openTickets.keys()].sort()).toEqual(["alpha/store_down/1", "alpha/store_down/3"]);
  });

  it("sees in the next cycle what another replica or plain SQL changed, and only then reads again", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    const [first] = (await store.recordCycle(["alpha"], realPlan("c1", at(1), results(["1"])))).opened;
    await store.recordCycle(["alpha"], realPlan("c2", at(2), results(["1"])));
    const other = await open(url);
    await other.applyAction(first?.id ?? 0, { type: "resolve", actor: "bob", comment: "fixed" });
    const reopened = await store.recordCycle(["alpha"], realPlan("c3", at(3), results(["1"])));
    expect(reopened.opened.map((t) => t.previousTicketId)).toEqual([first?.id]);

    const sql = raw(url);
    await sql`UPDATE tickets SET message = 'edited by hand' WHERE status <> 'resolved'`;
    expect((await peek(store)).openTickets.get("alpha/store_down/1")?.message).toBe("edited by hand");

    // A write that bypasses the triggers (replication role) is not seen: the snapshot comes from the cache.
    await store.recordCycle(["alpha"], realPlan("c4", at(4), results(["1"])));
    await sql.begin(async (tx) => {
      await tx`SET LOCAL session_replication_role = replica`;
      await tx`UPDATE tickets SET message = 'unseen' WHERE status <> 'resolved'`;
    });
    expect((await peek(store)).openTickets.get("alpha/store_down/1")?.message).toBe("down 1");
    expect((await peek(await open(url))).openTickets.get("alpha/store_down/1")?.message).toBe("unseen");
  });
});

describe("migrations", () => {
  it("several replicas opening a fresh database at once migrate it exactly once", async () => {
    const url = await server.createDatabase();
    const opened = await Promise.all(Array.from({ length: 6 }, () => open(url)));
    expect(opened).toHaveLength(6);
    const sql = raw(url);
    const rows = await sql`SELECT hash FROM drizzle.__drizzle_migrations ORDER BY id`;
    expect(rows.map((r) => r.hash)).toEqual(knownMigrations().map((m) => m.hash));
  });

  it("refuses a database migrated by a newer version, and a read-only open of one without the schema", async () => {
    const fresh = await server.createDatabase();
    await expect(openPostgresTicketStore(fresh, { readonly: true })).rejects.toBeInstanceOf(
      PostgresSchemaMissingError,
    );
    const url = await server.createDatabase();
    await (await open(url)).close();
    await raw(
      url,
    )`INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('future', 99999999999999)`;
    const error = await openPostgresTicketStore(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PostgresSchemaTooNewError);
    expect(String((error as Error).message)).toMatch(/newer version of Operator .*upgrade Operator/);
  });

  it("a read-only store reads and refuses writes", async () => {
    const url = await server.createDatabase();
    const writer = await open(url);
    await writer.recordCycle(["alpha"], realPlan("c1", Date.now(), violated("1")));
    const reader = await open(url, { readonly: true });
    expect((await reader.listTickets()).tickets).toHaveLength(1);
    await expect(reader.applyAction(1, { type: "acknowledge", actor: "a" })).rejects.toBeInstanceOf(
      PostgresReadOnlyError,
    );
  });
});

describe("connections", () => {
  it("names the server without the password when the login is refused or nothing listens", async () => {
    const url = await server.createDatabase();
    const wrong = url.replace("pg-test-Secret-42", "Wrong-Secret-77");
    const refused = await failure(openPostgresTicketStore(wrong));
    expect(refused).toBeInstanceOf(PostgresUnavailableError);
    expect(refused.message).toMatch(/login refused/);
    expect(refused.message).toContain(`postgres://postgres@127.0.0.1:${server.port}/`);
    expect(refused.message).not.toContain("Wrong-Secret-77");
    const port = await closedPort();
    const down = await failure(
      openPostgresTicketStore(`postgres://u:Hidden-Pass-9@127.0.0.1:${port}/x`, { connectTimeoutSeconds: 2 }),
    );
    expect(down).toBeInstanceOf(PostgresUnavailableError);
    expect(down.message).toMatch(/connection refused/);
    expect(down.message).not.toContain("Hidden-Pass-9");
  });

  it("carries on after the server restarts under an open store, with nothing lost", async () => {
    const url = await server.createDatabase();
    const store = await open(url);
    await store.recordCycle(["alpha"], realPlan("c1", Date.now(), violated("1")));
    await server.restart();
    let result: Awaited<ReturnType<typeof store.recordCycle>> | undefined;
    for (let attempt = 0; attempt < 20 && result === undefined; attempt++) {
      result = await store
        .recordCycle(["alpha"], realPlan(`c2-${attempt}`, Date.now(), violated("1")))
        .catch((error: unknown) => {
          expect(error).toBeInstanceOf(PostgresUnavailableError);
          return undefined;
        });
    }
    expect(result?.opened).toEqual([]);
    const [ticket] = (await store.listTickets()).tickets;
    expect(ticket?.occurrenceCount).toBe(2);
  });
});

describe("concurrent writers", () => {
  it("two stores writing at once never let a feed reader skip an event (ids follow commit order)", async () => {
    const url = await server.createDatabase();
    const [a, b, reader] = await Promise.all([open(url), open(url), open(url)]);
    const seen: number[] = [];
    let after = 0;
    let done = false;
    const read = (async () => {
      while (!done) {
        const page = await reader.listEventsAfter(after, 1000);
        for (const item of page) seen.push(item.event.id);
        after = page.at(-1)?.event.id ?? after;
      }
    })();
    const run = async (store: PostgresTicketStore, subject: string, seed: number) => {
      const world = new TestWorld([subject], 8, 0.3, seed);
      const random = seeded(seed);
      let t = Date.UTC(2026, 0, 1);
      for (let step = 0; step < 40; step++) {
        t += 30_000;
        await store.recordCycle([subject], realPlan(`${subject}-${step}`, t, world.next()));
        const open = (await store.listTickets({ subject })).tickets;
        const target = open[Math.floor(random() * open.length)];
        if (target)
          await store.applyAction(target.id, { type: "acknowledge", actor: subject }).catch(() => undefined);
      }
    };
    await Promise.all([run(a as PostgresTicketStore, "alpha", 3), run(b as PostgresTicketStore, "beta", 5)]);
    done = true;
    await read;
    for (const item of await reader.listEventsAfter(after, 1000)) seen.push(item.event.id);
    const all = (await reader.listEventsAfter(0, 1000)).map((item) => item.event.id);
    expect(all.length).toBeGreaterThan(50);
    expect(seen).toEqual(all);
  });
});

/** The error `promise` rejects with; throws if it resolves. */
function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as Error,
  );
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      const port = typeof address === "object" && address !== null ? address.port : 1;
      s.close(() => resolve(port));
    });
  });
}
