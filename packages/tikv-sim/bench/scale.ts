/**
 * Scale benchmark: N simulated stores scraped by a real Prometheus. Prints the time to the first
 * complete scrape round, then CPU of the simulator and of Prometheus over a steady-state window.
 * Run: npx tsx --conditions=@operator/source bench/scale.ts [stores=1000] [intervalMs=5000] [seconds=60]
 */
import { readFileSync } from "node:fs";
import { startCluster, startPrometheus } from "../src/index.ts";

const stores = Number(process.argv[2] ?? 1000);
const intervalMs = Number(process.argv[3] ?? 5000);
const seconds = Number(process.argv[4] ?? 60);
const TICKS = 100;

function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const t0 = Date.now();
const cluster = await startCluster({ stores });
const prometheus = await startPrometheus({ targets: cluster.scrapeTargets, scrapeIntervalMs: intervalMs });
try {
  await prometheus.waitForSamples({ rate: false, timeoutMs: 180_000 });
  console.log(
    `stores=${stores} interval=${intervalMs}ms: all ${stores} targets up after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  const pid = prometheus.pid as number;
  const before = {
    wall: Date.now(),
    sim: process.cpuUsage(),
    prom: cpuSecondsOf(pid),
    stats: cluster.scrapeStats(),
  };
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (Date.now() - before.wall) / 1000;
  const sim = process.cpuUsage(before.sim);
  const stats = cluster.scrapeStats();
  const scrapes = stats.scrapes - before.stats.scrapes;
  const up = (await prometheus.query("count(up == 1)"))[0]?.value;
  const duration = await prometheus.query("avg(scrape_duration_seconds)");
  const series = await prometheus.query("prometheus_tsdb_head_series");
  console.log(
    JSON.stringify(
      {
        windowSeconds: Math.round(wall),
        scrapesPerSecond: +(scrapes / wall).toFixed(1),
        renderMsPerScrape: +((stats.renderMs - before.stats.renderMs) / scrapes).toFixed(3),
        bytesPerScrape: Math.round((stats.bytes - before.stats.bytes) / scrapes),
        simulatorCpuPercent: +(((sim.user + sim.system) / 1e6 / wall) * 100).toFixed(1),
        prometheusCpuPercent: +(((cpuSecondsOf(pid) - before.prom) / wall) * 100).toFixed(1),
        avgScrapeDurationMs: +((duration[0]?.value ?? 0) * 1000).toFixed(2),
        up,
        headSeries: series[0]?.value,
      },
      null,
      2,
    ),
  );
} finally {
  await prometheus.stop();
  await cluster.close();
}
