import { bucketQuantile, type Histogram, histogramDelta } from "./histogram.ts";
import type { LatencyWindow, LeaderChangeWindow } from "./observation.ts";

/** A counter's value at a time. */
export interface CounterSample {
  readonly at: number;
  readonly value: number;
}

/** Most samples kept per member; runs of equal values are stored as their first and last sample. */
export const MAX_COUNTER_SAMPLES = 1000;

/**
 * The small in-memory history a subject keeps per member so that counter increases and histogram
 * percentiles can be computed from the members' own `/metrics`, without Prometheus. It is lost on
 * restart: the first cycle afterwards reports these values as unknown.
 */
export class MemberHistory {
  private readonly counters: CounterSample[] = [];
  private readonly histograms = new Map<string, { at: number; histogram: Histogram }>();

  /**
   * Records a leader-change counter sample and returns the increase over the last `windowMs`
   * (counter resets count from zero, as Prometheus's `increase` does), or why it cannot yet.
   */
  leaderChanges(at: number, value: number, windowMs: number): LeaderChangeWindow | { unknown: string } {
    this._push(at, value, windowMs);
    const samples = this.counters;
    if (samples.length < 2) return { unknown: "first reading of the leader-change counter" };
    let start = 0;
    for (let index = samples.length - 1; index >= 0; index--) {
      if ((samples[index] as CounterSample).at <= at - windowMs) {
        start = index;
        break;
      }
    }
    let increase = 0;
    for (let index = start + 1; index < samples.length; index++) {
      const before = (samples[index - 1] as CounterSample).value;
      const after = (samples[index] as CounterSample).value;
      increase += after >= before ? after - before : after;
    }
    const coveredMs = Math.min(windowMs, at - (samples[start] as CounterSample).at);
    return { increase, windowMs, coveredMs };
  }

  /**
   * Records a histogram reading under `key` and returns the p99 of what happened since the previous
   * reading, or why it cannot (first reading, or a counter reset after a restart).
   */
  latency(key: string, at: number, histogram: Histogram): LatencyWindow | { unknown: string } {
    const previous = this.histograms.get(key);
    this.histograms.set(key, { at, histogram });
    if (!previous) return { unknown: "first reading of the histogram; needs two observations" };
    const delta = histogramDelta(previous.histogram, histogram);
    if (!delta) return { unknown: "histogram counters went down (member restarted?); next cycle will tell" };
    const p99 = bucketQuantile(0.99, delta.buckets);
    return { p99Seconds: p99 ?? null, operations: delta.count, windowMs: at - previous.at };
  }

  private _push(at: number, value: number, windowMs: number): void {
    const samples = this.counters;
    const last = samples.at(-1);
    const beforeLast = samples.at(-2);
    if (last && beforeLast && last.value === value && beforeLast.value === value) {
      samples[samples.length - 1] = { at, value };
    } else {
      samples.push({ at, value });
    }
    let keepFrom = 0;
    for (let index = samples.length - 1; index >= 0; index--) {
      if ((samples[index] as CounterSample).at <= at - windowMs) {
        keepFrom = index;
        break;
      }
    }
    samples.splice(0, Math.max(keepFrom, samples.length - MAX_COUNTER_SAMPLES));
  }
}
