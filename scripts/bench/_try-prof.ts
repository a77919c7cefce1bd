import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import path from "node:path";
import { createMonitor, openTicketStore, silentLogger, tikvSubject } from "./deps.ts";
import type { SimHandlers } from "./sim-host.ts";
import { startWorker } from "./worker.ts";

const stores = Number(process.argv[2] ?? 1000);
const sim = startWorker<SimHandlers>(new URL("./sim-host.ts", import.meta.url));
const e = await sim.call("start", { stores, scrapeIntervalMs: 5000 });
const store = openTicketStore(path.join("/tmp/prof", `t${Date.now()}.db`));
const monitor = createMonitor({
  subjects: [
    tikvSubject({ name: "bench", pdUrl: e.pdUrl, prometheusUrl: e.prometheusUrl, timeoutMs: 20000 }),
  ],
  store,
  intervalMs: 60000,
  deadlineMs: 50000,
  logger: silentLogger,
});
await monitor.runOnce();
await monitor.runOnce();
const s = new Session();
s.connect();
await s.post("Profiler.enable");
await s.post("Profiler.start");
for (let i = 0; i < 5; i++) {
  const c = process.cpuUsage();
  await monitor.runOnce();
  const u = process.cpuUsage(c);
  console.log("cpu", (u.user + u.system) / 1000);
}
const { profile } = await s.post("Profiler.stop");
writeFileSync("/tmp/prof/cycle.cpuprofile", JSON.stringify(profile));
await monitor.stop();
store.close();
await sim.call("stop");
await sim.close();
