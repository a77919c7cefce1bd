import { createMemoryTicketStore } from "../src/index.ts";
import { testTicketStore } from "../src/testing/index.ts";

testTicketStore({
  name: "memory",
  create: (now) => createMemoryTicketStore({ now }),
  leases: true,
});
