import { benchCliStart } from "./cli-start.ts";
import { renderTable } from "./report.ts";
import { benchStore } from "./store.ts";

const which = process.argv[2];
const r =
  which === "store" ? await benchStore({ quick: true }) : await benchCliStart({ tickets: 20000, runs: 3 });
for (const t of r.tables) console.log(renderTable(t));
console.log(r.targets, r.notes);
