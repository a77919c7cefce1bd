import type { Prometheus } from "./harness.ts";

/** How far after the fault {@link firstScrapeShowing} looks for the scrape that showed it. */
export const SCRAPE_SEARCH_MS = 15_000;

/**
 * When the scrape of `instance` whose samples first made `expr` true was taken (epoch ms; a
 * sample's timestamp is the start of its scrape): the first of that target's scrapes at or after
 * `sinceMs` at whose timestamp `expr` has a sample of `instance`. Both sides of the comparison read
 * the same samples, so from this scrape on each only waits for its own next look. `null` when no
 * scrape in the {@link SCRAPE_SEARCH_MS} after `sinceMs` shows it.
 */
export async function firstScrapeShowing(
  prometheus: Prometheus,
  expr: string,
  instance: string,
  sinceMs: number,
): Promise<number | null> {
  for (const at of await scrapeTimes(prometheus.url, instance, sinceMs, sinceMs + SCRAPE_SEARCH_MS)) {
    const samples = await prometheus.query(expr, { time: at / 1000 });
    if (samples.some((s) => s.metric.instance === instance)) return at;
  }
  return null;
}

/** The timestamps (epoch ms, ascending) of `instance`'s scrapes in [`fromMs`, `toMs`], from its `up` series. */
export async function scrapeTimes(
  prometheusUrl: string,
  instance: string,
  fromMs: number,
  toMs: number,
): Promise<number[]> {
  const rangeSeconds = Math.ceil((toMs - fromMs) / 1000) + 1;
  const query = `up{instance=${JSON.stringify(instance)}}[${rangeSeconds}s]`;
  const url = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}&time=${toMs / 1000}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json().catch(() => ({}))) as {
    status?: string;
    data?: { resultType?: string; result?: { values?: [number, string][] }[] };
  };
  if (body.status !== "success" || body.data?.resultType !== "matrix") {
    throw new Error(`Prometheus answered ${res.status} without a matrix for ${query}`);
  }
  return (body.data.result ?? [])
    .flatMap((series) => series.values ?? [])
    .map(([seconds]) => Math.round(seconds * 1000))
    .filter((ms) => ms >= fromMs && ms <= toMs)
    .sort((a, b) => a - b);
}
