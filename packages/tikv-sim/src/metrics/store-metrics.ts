import { Accumulator } from "./accumulator.ts";
import { GrpcHistogram } from "./grpc-histogram.ts";
import { HealthMetrics, type HealthSettings } from "./health-metrics.ts";

/** What one TiKV process looks like when it starts: rates and sizes drawn from the cluster's seed. */
export interface ProcessProfile {
  readonly storeId: number;
  /** Foreground gRPC requests per second. */
  readonly requestsPerSecond: number;
  /** Normal gRPC p99, seconds. */
  readonly p99Seconds: number;
  /** Normal raftstore CPU, cores (split over two raftstore threads). */
  readonly raftstoreCores: number;
  readonly residentBytes: number;
  readonly cpuQuota: number;
  readonly memoryQuotaBytes: number;
}

/** Disk and region figures the store reports both to PD and on /metrics. */
export interface StoreFigures {
  readonly capacityBytes: number;
  readonly availableBytes: number;
  readonly usedBytes: number;
  readonly regionCount: number;
  readonly leaderCount: number;
}

const OTHER_THREADS = [
  ["apply_0", 0.04],
  ["apply_1", 0.03],
  ["grpc_server_0", 0.08],
  ["grpc_server_1", 0.07],
  ["unified_read_po", 0.05],
  ["sched_worker_0", 0.02],
  ["rocksdb_low0", 0.03],
] as const;

/** Write-stall durations (µs) grow while a stall lasts, so `delta(tikv_engine_write_stall[10m]) > 0`. */
const STALL_TYPES = [
  ["write_stall_average", 0.6],
  ["write_stall_max", 1],
  ["write_stall_median", 0.5],
  ["write_stall_percentile95", 0.85],
  ["write_stall_percentile99", 0.95],
  ["write_stall_standard_deviation", 0.2],
] as const;
const STALL_US_PER_SECOND = 20_000;
const L0_NORMAL = [2, 1, 0] as const;
const L0_STALLED = 95;

/**
 * The metrics of one running TiKV process, rendered as text format 0.0.4. Counters start at what
 * the process accrued since it started, grow with real time and restart from zero with the process.
 */
export class StoreMetrics {
  readonly #profile: ProcessProfile;
  readonly #startSeconds: number;
  readonly #grpc: GrpcHistogram;
  readonly #raftstore: [Accumulator, Accumulator];
  readonly #others: Accumulator[];
  readonly #processCpu: Accumulator;
  readonly #stallUs: Accumulator;
  readonly #threadPrefixes: string[];
  readonly #health: HealthMetrics;
  #stallSince: number | null = null;
  #residentBytes: number | null = null;
  #extraCores = 0;

  /** @param startRealMs when the process started (real unix ms); counters accrue from then. */
  constructor(profile: ProcessProfile, nowMs: number, startRealMs: number) {
    this.#profile = profile;
    this.#startSeconds = Math.floor(startRealMs / 1000);
    const uptime = Math.max(0, nowMs - startRealMs) / 1000;
    this.#grpc = new GrpcHistogram(nowMs, profile.requestsPerSecond, profile.p99Seconds, uptime);
    const half = profile.raftstoreCores / 2;
    this.#raftstore = [
      new Accumulator(nowMs, half, half * uptime),
      new Accumulator(nowMs, half, half * uptime),
    ];
    this.#others = OTHER_THREADS.map(([, cores]) => new Accumulator(nowMs, cores, cores * uptime));
    const total = this.#totalCores();
    this.#processCpu = new Accumulator(nowMs, total, total * uptime);
    this.#stallUs = new Accumulator(nowMs, 0);
    this.#health = new HealthMetrics(nowMs, uptime, profile.requestsPerSecond);
    const id = profile.storeId;
    const names = [...[0, 1].map((i) => comm(`raftstore-${id}-${i}`)), ...OTHER_THREADS.map(([n]) => n)];
    this.#threadPrefixes = names.map(
      (name, i) => `tikv_thread_cpu_seconds_total{name="${name}",tid="${1000 + i}"} `,
    );
  }

  /** Sets the foreground p99 from `nowMs` on; `null` restores the profile's normal latency. */
  setP99(nowMs: number, p99Seconds: number | null): void {
    this.#grpc.setP99(nowMs, p99Seconds ?? this.#profile.p99Seconds);
  }

  /** Sets raftstore CPU (cores) from `nowMs` on; `null` restores the normal load. */
  setRaftstoreCores(nowMs: number, cores: number | null): void {
    const half = (cores ?? this.#profile.raftstoreCores) / 2;
    for (const thread of this.#raftstore) thread.setRate(nowMs, half);
    this.#processCpu.setRate(nowMs, this.#totalCores());
  }

  /** Starts or ends a RocksDB write stall. */
  setWriteStall(nowMs: number, on: boolean): void {
    if (on === (this.#stallSince !== null)) return;
    this.#stallSince = on ? nowMs : null;
    this.#stallUs.setRate(nowMs, on ? STALL_US_PER_SECOND : 0);
  }

  /** Sets resident memory (`null`: the profile's) and extra busy cores of the process from `nowMs` on. */
  setProcess(nowMs: number, residentBytes: number | null, extraCores: number | null): void {
    this.#residentBytes = residentBytes;
    this.#extraCores = extraCores ?? 0;
    this.#processCpu.setRate(nowMs, this.#totalCores());
  }

  /** Applies the settings of the metrics behind the other official alert rules. */
  setHealth(nowMs: number, settings: HealthSettings): void {
    this.#health.apply(nowMs, settings);
  }

  /** The full /metrics body at real time `nowMs`. */
  render(nowMs: number, figures: StoreFigures): string {
    const out: string[] = [];
    this.#grpc.render(nowMs, out);
    out.push(
      "# HELP tikv_store_size_bytes Size of storage.\n# TYPE tikv_store_size_bytes gauge\n",
      `tikv_store_size_bytes{type="available"} ${figures.availableBytes}\n`,
      `tikv_store_size_bytes{type="capacity"} ${figures.capacityBytes}\n`,
      `tikv_store_size_bytes{type="used"} ${figures.usedBytes}\n`,
      "# HELP tikv_raftstore_region_count Number of regions collected in region_collection_worker\n",
      "# TYPE tikv_raftstore_region_count gauge\n",
      `tikv_raftstore_region_count{type="buckets"} 0\n`,
      `tikv_raftstore_region_count{type="leader"} ${figures.leaderCount}\n`,
      `tikv_raftstore_region_count{type="region"} ${figures.regionCount}\n`,
      "# HELP tikv_raftstore_leader_missing Total number of leader missed region.\n",
      "# TYPE tikv_raftstore_leader_missing gauge\ntikv_raftstore_leader_missing 0\n",
      "# HELP tikv_thread_cpu_seconds_total Total user and system CPU time spent in seconds by threads.\n",
      "# TYPE tikv_thread_cpu_seconds_total gauge\n",
    );
    const threads = [...this.#raftstore, ...this.#others];
    for (let i = 0; i < threads.length; i++) {
      out.push(
        this.#threadPrefixes[i] as string,
        cpuSeconds((threads[i] as Accumulator).valueAt(nowMs)),
        "\n",
      );
    }
    this.#renderStall(nowMs, out);
    this.#health.render(nowMs, out);
    const p = this.#profile;
    out.push(
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n",
      `# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total ${Math.floor(this.#processCpu.valueAt(nowMs))}\n`,
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n",
      `# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes ${this.#residentBytes ?? p.residentBytes}\n`,
      "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n",
      `# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds ${this.#startSeconds}\n`,
      "# HELP tikv_server_cpu_cores_quota Total CPU cores quota for TiKV server\n",
      `# TYPE tikv_server_cpu_cores_quota gauge\ntikv_server_cpu_cores_quota ${p.cpuQuota}\n`,
      "# HELP tikv_server_memory_quota_bytes Total memory bytes quota for TiKV server\n",
      `# TYPE tikv_server_memory_quota_bytes gauge\ntikv_server_memory_quota_bytes ${p.memoryQuotaBytes}\n`,
    );
    return out.join("");
  }

  #renderStall(nowMs: number, out: string[]): void {
    const stalled = this.#stallSince !== null;
    const grown = stalled
      ? Math.max(1, ((nowMs - (this.#stallSince as number)) / 1000) * STALL_US_PER_SECOND)
      : 0;
    out.push(
      "# HELP tikv_engine_write_stall Histogram of write stall\n# TYPE tikv_engine_write_stall gauge\n",
    );
    for (const db of ["kv", "raft"]) {
      for (const [type, share] of STALL_TYPES) {
        const value = db === "kv" ? Math.round(grown * share) : 0;
        out.push(`tikv_engine_write_stall{db="${db}",type="${type}"} ${value}\n`);
      }
    }
    out.push(
      "# HELP tikv_engine_stall_micro_seconds Stall micros\n# TYPE tikv_engine_stall_micro_seconds counter\n",
      `tikv_engine_stall_micro_seconds{db="kv"} ${Math.floor(this.#stallUs.valueAt(nowMs))}\n`,
      `tikv_engine_stall_micro_seconds{db="raft"} 0\n`,
      "# HELP tikv_scheduler_l0_avg average L0 counts for cf in all regions\n# TYPE tikv_scheduler_l0_avg gauge\n",
    );
    const cfs = ["default", "lock", "write"] as const;
    for (let i = 0; i < cfs.length; i++) {
      out.push(`tikv_scheduler_l0_avg{cf="${cfs[i]}"} ${stalled ? L0_STALLED : L0_NORMAL[i]}\n`);
    }
  }

  #totalCores(): number {
    const others = OTHER_THREADS.reduce((s, [, c]) => s + c, 0);
    return this.#raftstore[0].rate + this.#raftstore[1].rate + others + this.#extraCores;
  }
}

/** Linux keeps 15 characters of a thread name; TiKV then maps `-` and spaces to `_`. */
function comm(threadName: string): string {
  return threadName.slice(0, 15).replace(/[^a-zA-Z0-9_:]/g, "_");
}

function cpuSeconds(value: number): string {
  return String(Math.round(value * 100) / 100);
}
