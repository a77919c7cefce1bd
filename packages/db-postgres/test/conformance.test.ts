import { testTicketStore } from "@operator/core/testing";
import { afterAll, beforeAll } from "vitest";
import { openPostgresTicketStore } from "../src/index.ts";
import { startTestPostgres, type TestPostgres } from "../src/testing/index.ts";

let server: TestPostgres;
beforeAll(async () => {
  server = await startTestPostgres();
});
afterAll(async () => {
  await server?.stop();
});

testTicketStore({
  name: "postgres",
  create: async (now) => openPostgresTicketStore(await server.createDatabase(), { now }),
  close: (store) => store.close(),
  recentCycles: (store, limit) => store.recentCycles(limit),
  leases: true,
});
