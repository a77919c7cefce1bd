import type { SimClock } from "../clock.ts";
import type { HealthSettings, Stage } from "../metrics/health-metrics.ts";
import { type ProcessProfile, type StoreFigures, StoreMetrics } from "../metrics/store-metrics.ts";

/** PD's heartbeat and state rules (pd pkg/core/store.go, TiKV defaults). */
export const HEARTBEAT_INTERVAL_MS = 10_000;
export const DISCONNECT_AFTER_MS = 20_000;

/** A store's `metapb.StoreState`: what PD was told, not what it infers from heartbeats. */
export type MetaState = "Up" | "Offline" | "Tombstone";

/** The `state_name` PD reports. */
export type StateName = MetaState | "Disconnected" | "Down";

/** {@link HealthSettings} as faults change them. */
export interface HealthFaults extends HealthSettings {
  stages: Map<Stage, number>;
  logLag: number | null;
  regionSizeBytes: number | null;
  schedulerPending: number | null;
  coprocessorPending: number | null;
  workerPending: number | null;
  channelFull: boolean;
  gcStuck: boolean;
  criticalErrors: number;
  unreachable: Map<number, number>;
}

/** Health settings without any fault (critical errors start at zero with the process). */
export function healthyFaults(criticalErrors = 0): HealthFaults {
  return {
    stages: new Map(),
    logLag: null,
    regionSizeBytes: null,
    schedulerPending: null,
    coprocessorPending: null,
    workerPending: null,
    channelFull: false,
    gcStuck: false,
    criticalErrors,
    unreachable: new Map(),
  };
}

/** Fixed facts of a store, chosen when the cluster is built. */
export interface StoreSpec {
  readonly id: number;
  readonly engine: "tikv" | "tiflash";
  readonly address: string;
  readonly statusAddress: string;
  readonly labels: readonly { readonly key: string; readonly value: string }[];
  readonly capacityBytes: number;
  readonly usedRatio: number;
  readonly regionCount: number;
  readonly leaderCount: number;
  /** Simulated time the process started before the cluster was created. */
  readonly uptimeMs: number;
  readonly profile: ProcessProfile;
}

/**
 * One simulated store: the process (running or stopped), its heartbeats to PD on the simulated
 * clock, and its metrics on the real clock. Faults change fields here; PD and /metrics read them.
 */
export class StoreModel {
  readonly spec: StoreSpec;
  metaState: MetaState = "Up";
  usedRatio: number;
  leaderCount: number;
  p99Override: number | null = null;
  raftstoreOverride: number | null = null;
  writeStall = false;
  /** Resident memory override, bytes (`null`: the profile's). */
  residentBytes: number | null = null;
  /** Extra busy cores of the process (`null`: none). */
  extraCores: number | null = null;
  /** Faults of the metrics behind the other official alert rules. */
  health: HealthFaults = healthyFaults();
  flapTimer: NodeJS.Timeout | null = null;
  #clock: SimClock;
  #running = true;
  #startSimMs: number;
  #startRealMs: number;
  #frozenHeartbeatMs: number | null = null;
  #metrics: StoreMetrics | null = null;

  constructor(spec: StoreSpec, clock: SimClock) {
    this.spec = spec;
    this.#clock = clock;
    this.usedRatio = spec.usedRatio;
    this.leaderCount = spec.leaderCount;
    this.#startSimMs = clock.simNow() - spec.uptimeMs;
    this.#startRealMs = clock.realNow() - spec.uptimeMs;
  }

  /** True while the process runs (heartbeats flow, /metrics answers). */
  get running(): boolean {
    return this.#running;
  }

  /** Process start, simulated unix ms (PD's `start_timestamp`). */
  get startSimMs(): number {
    return this.#startSimMs;
  }

  /** Stops the process: heartbeats stop, the last one stays what PD remembers, scrapes fail. */
  stop(): void {
    if (!this.#running) return;
    this.#frozenHeartbeatMs = this.lastHeartbeatMs();
    this.#running = false;
    this.#metrics = null;
  }

  /** (Re)starts the process: it heartbeats at once, counters restart from zero. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#frozenHeartbeatMs = null;
    this.health.criticalErrors = 0;
    this.#startSimMs = this.#clock.simNow();
    this.#startRealMs = this.#clock.realNow();
  }

  /** Simulated unix ms of the last heartbeat PD received. */
  lastHeartbeatMs(): number {
    if (this.#frozenHeartbeatMs !== null) return this.#frozenHeartbeatMs;
    const since = Math.max(0, this.#clock.simNow() - this.#startSimMs);
    return this.#startSimMs + Math.floor(since / HEARTBEAT_INTERVAL_MS) * HEARTBEAT_INTERVAL_MS;
  }

  /** `last_heartbeat` in unix ns, with a stable sub-millisecond part. */
  lastHeartbeatNs(): bigint {
    const ms = Math.floor(this.lastHeartbeatMs());
    return BigInt(ms) * 1_000_000n + BigInt((this.spec.id * 7919 + ms * 31) % 1_000_000);
  }

  /** PD's `state_name` at the current simulated time (BuildStoreInfo's rules). */
  stateName(maxStoreDownTimeMs: number): StateName {
    if (this.metaState !== "Up") return this.metaState;
    const downTime = this.#clock.simNow() - this.lastHeartbeatMs();
    if (downTime > maxStoreDownTimeMs) return "Down";
    if (downTime > DISCONNECT_AFTER_MS) return "Disconnected";
    return "Up";
  }

  /** Disk and region figures as the store reports them now. */
  figures(): StoreFigures {
    const capacity = this.spec.capacityBytes;
    const used = Math.round(capacity * this.usedRatio);
    return {
      capacityBytes: capacity,
      availableBytes: capacity - used,
      usedBytes: used,
      regionCount: this.spec.regionCount,
      leaderCount: this.leaderCount,
    };
  }

  /** The /metrics body, or `null` when the process is down (the scrape must fail). */
  renderMetrics(): string | null {
    if (!this.#running || this.spec.engine !== "tikv") return null;
    const now = this.#clock.realNow();
    this.#metrics ??= this.#newMetrics(now);
    return this.#metrics.render(now, this.figures());
  }

  /** Applies the current latency, CPU and stall settings to the live metrics. */
  refreshMetrics(): void {
    if (!this.#metrics) return;
    const now = this.#clock.realNow();
    this.#metrics.setP99(now, this.p99Override);
    this.#metrics.setRaftstoreCores(now, this.raftstoreOverride);
    this.#metrics.setWriteStall(now, this.writeStall);
    this.#metrics.setProcess(now, this.residentBytes, this.extraCores);
    this.#metrics.setHealth(now, this.health);
  }

  #newMetrics(now: number): StoreMetrics {
    const metrics = new StoreMetrics(this.spec.profile, now, this.#startRealMs);
    this.#metrics = metrics;
    this.refreshMetrics();
    return metrics;
  }
}
