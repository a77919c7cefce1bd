import { testTicketStore } from "@operator/core/testing";
import { openTicketStore } from "../src/index.ts";
import { tempDbPath } from "./helpers/temp.ts";

testTicketStore({
  name: "sqlite",
  create: (now) => openTicketStore(tempDbPath(), { now }),
  close: (store) => store.close(),
  recentCycles: (store, limit) => store.recentCycles(limit),
});
