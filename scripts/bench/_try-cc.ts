import { benchCycleCost } from "./cycle-cost.ts";
import { renderTable } from "./report.ts";

const sizes = (process.argv[2] ?? "10").split(",").map(Number);
const r = await benchCycleCost({ sizes, cycles: 5, warmup: 2, budgetMs: 30000, readyTimeoutMs: 300000 });
for (const t of r.tables) console.log(renderTable(t));
console.log(r.targets, r.notes);
