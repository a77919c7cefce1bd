import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { openTicketStore } from "../src/index.ts";
import { tempDbPath } from "./helpers/temp.ts";
import { cycleLines, startWriter } from "./helpers/worker.ts";

/** How many times the crash test kills a writer; raise it with OPERATOR_DB_CRASH_ITERATIONS. */
const CRASH_ITERATIONS = Number(process.env.OPERATOR_DB_CRASH_ITERATIONS ?? 30);

interface Row {
  id: number;
  key: string;
  status: string;
  resolved_by: string | null;
  previous_ticket_id: number | null;
}

/** Checks every invariant of a ticket file a crash or a race could break; returns all tickets. */
function checkFile(path: string): Row[] {
  const db = new Database(path);
  try {
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(db.pragma("foreign_key_check")).toEqual([]);
    const duplicates = db
      .prepare("SELECT key, count(*) AS n FROM tickets WHERE status <> 'resolved' GROUP BY key HAVING n > 1")
      .all();
    expect(duplicates).toEqual([]);
    const withoutOpened = db
      .prepare(
        "SELECT id FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'opened')",
      )
      .all();
    expect(withoutOpened).toEqual([]);
    const resolvedWithoutEvent = db
      .prepare(
        "SELECT id FROM tickets t WHERE status = 'resolved' AND (SELECT count(*) FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'resolved') <> 1",
      )
      .all();
    expect(resolvedWithoutEvent).toEqual([]);
    return db
      .prepare("SELECT id, key, status, resolved_by, previous_ticket_id FROM tickets ORDER BY id")
      .all() as Row[];
  } finally {
    db.close();
  }
}

/** Each key's tickets form one chain: every ticket points at the key's ticket before it. */
function expectChains(rows: readonly Row[]): void {
  const last = new Map<string, Row>();
  for (const row of rows) {
    const previous = last.get(row.key);
    expect(row.previous_ticket_id, `ticket ${row.id}`).toBe(previous?.id ?? null);
    if (previous) expect(previous.status, `ticket ${previous.id} before ${row.id}`).toBe("resolved");
    last.set(row.key, row);
  }
}

async function pollUntil(condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(50);
  }
}

describe("two processes at once", () => {
  it("a daemon cycling and a CLI resolving lose nothing and never duplicate", async () => {
    const path = tempDbPath();
    openTicketStore(path).close();
    const keys = 12; // 3 subjects x 4 entities, store_down always violated
    const daemon = startWriter(path, 4, "always");
    try {
      await daemon.until((lines) => cycleLines(lines).length >= 2);
      const cli = openTicketStore(path, { busyTimeoutMs: 20_000 });
      const reader = openTicketStore(path, { readonly: true, busyTimeoutMs: 20_000 });
      const resolvedByCli: number[] = [];
      for (let i = 0; resolvedByCli.length < 30; i++) {
        const page = await reader.listTickets({ limit: 100 });
        const candidate = page.tickets.find((t) => !resolvedByCli.includes(t.id));
        if (candidate === undefined) {
          const seen = cycleLines(daemon.lines).length;
          await daemon.until((lines) => cycleLines(lines).length > seen);
          continue;
        }
        const resolved = await cli.applyAction(candidate.id, {
          type: "resolve",
          actor: "cli",
          comment: `#${i}`,
        });
        expect(resolved.status).toBe("resolved");
        resolvedByCli.push(candidate.id);
      }
      cli.close();
      // The daemon reopens each resolved key on its next cycle; wait for it through the database
      // (its stdout may lag behind what it has committed).
      await pollUntil(async () => (await reader.listTickets({ limit: 100 })).tickets.length === keys);
      reader.close();
      daemon.child.kill("SIGTERM");
      expect((await daemon.exited).code).toBe(0);

      const rows = checkFile(path);
      expect(rows).toHaveLength(keys + resolvedByCli.length);
      expect(rows.filter((r) => r.status !== "resolved")).toHaveLength(keys);
      for (const id of resolvedByCli) {
        expect(rows.find((r) => r.id === id)).toMatchObject({ status: "resolved", resolved_by: "cli" });
      }
      const openedByDaemon = cycleLines(daemon.lines).flatMap((l) => l.opened);
      expect(openedByDaemon.sort((a, b) => a - b)).toEqual(rows.map((r) => r.id));
      expectChains(rows);
      const store = openTicketStore(path);
      for (const id of resolvedByCli) {
        const events = (await store.getTicket(id)).events;
        expect(events.at(-1)).toMatchObject({ kind: "resolved", actor: "cli" });
      }
      store.close();
    } finally {
      daemon.child.kill("SIGKILL");
    }
  }, 240_000);
});

describe("crash loop", () => {
  it(`survives ${CRASH_ITERATIONS} SIGKILLs of a writer mid-cycle with nothing lost`, async () => {
    const path = tempDbPath();
    openTicketStore(path).close();
    const opened = new Set<number>();
    const resolved = new Set<number>();
    let cycles = 0;
    for (let i = 0; i < CRASH_ITERATIONS; i++) {
      const writer = startWriter(path, 10, "random", i + 1); // 60 keys
      try {
        await writer.until((lines) => cycleLines(lines).length >= 1);
        await sleep(Math.floor(Math.random() * 250));
      } finally {
        writer.child.kill("SIGKILL");
      }
      expect((await writer.exited).signal).toBe("SIGKILL");
      for (const line of cycleLines(writer.lines)) {
        cycles++;
        for (const id of line.opened) opened.add(id);
        for (const id of line.resolved) resolved.add(id);
      }
    }
    expect(cycles).toBeGreaterThan(CRASH_ITERATIONS);
    const rows = checkFile(path);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const id of opened) expect(byId.has(id), `ticket ${id} reported as committed`).toBe(true);
    for (const id of resolved)
      expect(byId.get(id)?.status, `ticket ${id} reported resolved`).toBe("resolved");
    expectChains(rows);

    const store = openTicketStore(path);
    const page = await store.listTickets({ limit: 1000 });
    expect(page.tickets.length).toBe(rows.filter((r) => r.status !== "resolved").length);
    store.close();
  }, 600_000);
});
