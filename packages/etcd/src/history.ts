import { bucketQuantile, type Histogram, histogramDelta } from "./histogram.ts";
import type { CounterWindow, GrowthTrend, LatencyWindow, LeaderChangeWindow } from "./observation.ts";

/** A counter's (or gauge's) value at a time. */
export interface CounterSample {
  readonly at: number;
  readonly value: number;
}

/** Most samples kept per series; runs of equal counter values are stored as their first and last sample. */
export const MAX_COUNTER_SAMPLES = 1000;

/**
 * The small in-memory history a subject keeps per member so that counter increases, histogram
 * percentiles and growth trends can be computed from the members' own `/metrics`, without
 * Prometheus. It is lost on restart: the first cycle afterwards reports these values as unknown.
 */
export class MemberHistory {
  private readonly counters = new Map<string, CounterSample[]>();
  private readonly gauges = new Map<string, CounterSample[]>();
  private readonly histograms = new Map<string, { at: number; histogram: Histogram }>();

  /**
   * Records a leader-change counter sample and returns the increase over the last `windowMs`
   * (counter resets count from zero, as Prometheus's `increase` does), or why it cannot yet.
   */
  leaderChanges(at: number, value: number, windowMs: number): LeaderChangeWindow | { unknown: string } {
    const window = this.increase("leaderChanges", at, value, windowMs);
    if ("unknown" in window) return { unknown: "first reading of the leader-change counter" };
    return window;
  }

  /**
   * Records a sample of counter `key` and returns its increase over the last `windowMs` (a reset
   * counts from zero), or why it cannot yet (first reading).
   */
  increase(key: string, at: number, value: number, windowMs: number): CounterWindow | { unknown: string } {
    const samples = this._push(key, at, value, windowMs);
    if (samples.length < 2) return { unknown: `first reading of ${key}; needs two observations` };
    const start = _windowStart(samples, at, windowMs);
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

  /**
   * Records gauge `key` and fits a least-squares line through its samples of the last `windowMs`, as
   * Prometheus's `predict_linear` does; returns the value the line reaches `horizonMs` from now, or
   * why it cannot yet (fewer than two samples).
   */
  trend(
    key: string,
    at: number,
    value: number,
    windowMs: number,
    horizonMs: number,
  ): GrowthTrend | { unknown: string } {
    const samples = this.gauges.get(key) ?? [];
    this.gauges.set(key, samples);
    samples.push({ at, value });
    const start = samples.findIndex((sample) => sample.at >= at - windowMs);
    samples.splice(0, Math.max(start, samples.length - MAX_COUNTER_SAMPLES));
    if (samples.length < 2) return { unknown: `first reading of ${key}; needs two observations` };
    const n = samples.length;
    const meanT = samples.reduce((sum, sample) => sum + (sample.at - at), 0) / n;
    const meanV = samples.reduce((sum, sample) => sum + sample.value, 0) / n;
    let covariance = 0;
    let variance = 0;
    for (const sample of samples) {
      covariance += (sample.at - at - meanT) * (sample.value - meanV);
      variance += (sample.at - at - meanT) ** 2;
    }
    const slopePerMs = variance === 0 ? 0 : covariance / variance;
    const valueNow = meanV - slopePerMs * meanT;
    return {
      predicted: valueNow + slopePerMs * horizonMs,
      bytesPerHour: slopePerMs * 3_600_000,
      horizonMs,
      windowMs,
      coveredMs: at - (samples[0] as CounterSample).at,
    };
  }

  private _push(key: string, at: number, value: number, windowMs: number): CounterSample[] {
    let samples = this.counters.get(key);
    if (!samples) {
      samples = [];
      this.counters.set(key, samples);
    }
    const last = samples.at(-1);
    const beforeLast = samples.at(-2);
    if (last && beforeLast && last.value === value && beforeLast.value === value) {
      samples[samples.length - 1] = { at, value };
    } else {
      samples.push({ at, value });
    }
    const keepFrom = _windowStart(samples, at, windowMs);
    samples.splice(0, Math.max(keepFrom, samples.length - MAX_COUNTER_SAMPLES));
    return samples;
  }
}

/** Index of the newest sample at or before the window's start (0 when none is that old). */
function _windowStart(samples: readonly CounterSample[], at: number, windowMs: number): number {
  for (let index = samples.length - 1; index >= 0; index--) {
    if ((samples[index] as CounterSample).at <= at - windowMs) return index;
  }
  return 0;
}
