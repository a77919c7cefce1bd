/** The summary of repeated measurements of one quantity. */
export interface Summary {
  readonly runs: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly p90: number;
}

/** Summarises samples: median (mean of the middle two for an even count), min, max and p90. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error("[operator] [bench] cannot summarise zero samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => {
    const index = (sorted.length - 1) * q;
    const low = sorted[Math.floor(index)] ?? Number.NaN;
    const high = sorted[Math.ceil(index)] ?? Number.NaN;
    return low + (high - low) * (index - Math.floor(index));
  };
  return {
    runs: sorted.length,
    median: at(0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    p90: at(0.9),
  };
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function elapsedMs(start: number): number {
  return performance.now() - start;
}

/** CPU milliseconds (user + system) since `start` (a `process.cpuUsage()` reading). */
export function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}
