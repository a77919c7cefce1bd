import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgresTicketStore, type PostgresTicketStore } from "../src/index.ts";
import { startTestPostgres, type TestPostgres } from "../src/testing/index.ts";

let server: TestPostgres;
const stores: PostgresTicketStore[] = [];
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await server?.stop();
});

async function open(url: string): Promise<PostgresTicketStore> {
  const store = await openPostgresTicketStore(url);
  stores.push(store);
  return store;
}

describe("leases on PostgreSQL", () => {
  it("run on the database's clock when the store has no test clock", async () => {
    /** Long enough that b's first claim comes before expiry on a loaded machine. */
    const TTL_MS = 2000;
    const url = await server.createDatabase();
    const [a, b] = [await open(url), await open(url)];
    const [granted] = await a.claimLeases("a", ["alpha"], TTL_MS);
    expect(granted).toMatchObject({ holder: "a", token: 1 });
    const [dbNow] = await (await open(url)).listLeases();
    expect(Math.abs((dbNow?.expiresAt ?? 0) - TTL_MS - Date.now())).toBeLessThan(5_000);
    expect((await b.claimLeases("b", ["alpha"], TTL_MS))[0]?.holder).toBe("a");
    await sleep(TTL_MS + 100);
    expect((await b.claimLeases("b", ["alpha"], TTL_MS))[0]).toMatchObject({ holder: "b", token: 2 });
  });

  it("give a subject to exactly one of many replicas claiming at once", async () => {
    const url = await server.createDatabase();
    const replicas = await Promise.all(Array.from({ length: 8 }, () => open(url)));
    for (let round = 0; round < 5; round++) {
      const subject = `s${round}`;
      const answers = await Promise.all(
        replicas.map((store, n) => store.claimLeases(`r${n}`, [subject], 60_000)),
      );
      const winners = answers.filter((leases, n) => leases[0]?.holder === `r${n}`);
      expect(winners).toHaveLength(1);
      const [stored] = ((await replicas[0]?.listLeases()) ?? []).filter((l) => l.subject === subject);
      expect(stored).toMatchObject({ token: 1, holder: winners[0]?.[0]?.holder });
    }
  });
});
