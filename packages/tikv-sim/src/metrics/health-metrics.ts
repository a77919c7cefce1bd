import { Accumulator } from "./accumulator.ts";
import { DesignedHistogram, exponentialBuckets, type HistogramShape } from "./designed-histogram.ts";

/** A latency or size a fault can move, named as the `slow-stage` fault takes it. */
export type Stage =
  | "async-write"
  | "async-snapshot"
  | "append"
  | "apply"
  | "ready"
  | "tick"
  | "scheduler-command"
  | "latch-wait"
  | "coprocessor-wait";

/** What the official TiKV alert rules read beyond the five core families, as faults set it. */
export interface HealthSettings {
  readonly stages: ReadonlyMap<Stage, number>;
  readonly logLag: number | null;
  readonly regionSizeBytes: number | null;
  readonly schedulerPending: number | null;
  readonly coprocessorPending: number | null;
  readonly workerPending: number | null;
  readonly channelFull: boolean;
  readonly gcStuck: boolean;
  /** Critical errors counted since the process started. */
  readonly criticalErrors: number;
  /** Unreachable reports per second this store sends, by remote store id. */
  readonly unreachable: ReadonlyMap<number, number>;
}

/** Compact second buckets (factor 4 from 0.5 ms): few series per store, 1,000 stores stay cheap. */
const SECONDS = exponentialBuckets(0.0005, 4, 9);
const MiB = 1024 * 1024;

/** Every stage's histogram: the metric and labels TiKV exports, and the quantile its rule reads. */
export const STAGES: Readonly<Record<Stage, Omit<HistogramShape, "rate">>> = {
  "async-write": {
    name: "tikv_storage_engine_async_request_duration_seconds",
    labels: 'type="write"',
    buckets: SECONDS,
    quantile: 0.99,
    normal: 0.003,
  },
  "async-snapshot": {
    name: "tikv_storage_engine_async_request_duration_seconds",
    labels: 'type="snapshot"',
    buckets: SECONDS,
    quantile: 0.99,
    normal: 0.0008,
  },
  append: {
    name: "tikv_raftstore_append_log_duration_seconds",
    labels: "",
    buckets: SECONDS,
    quantile: 0.99,
    normal: 0.0015,
  },
  apply: {
    name: "tikv_raftstore_apply_log_duration_seconds",
    labels: "",
    buckets: SECONDS,
    quantile: 0.99,
    normal: 0.002,
  },
  ready: {
    name: "tikv_raftstore_raft_process_duration_secs",
    labels: 'type="ready"',
    buckets: SECONDS,
    quantile: 0.999,
    normal: 0.003,
  },
  tick: {
    name: "tikv_raftstore_raft_process_duration_secs",
    labels: 'type="tick"',
    buckets: SECONDS,
    quantile: 0.999,
    normal: 0.0005,
  },
  "scheduler-command": {
    name: "tikv_scheduler_command_duration_seconds",
    labels: 'type="prewrite"',
    buckets: SECONDS,
    quantile: 0.99,
    normal: 0.004,
  },
  "latch-wait": {
    name: "tikv_scheduler_latch_wait_duration_seconds",
    labels: 'type="prewrite"',
    buckets: SECONDS,
    quantile: 0.99,
    normal: 0.0002,
  },
  "coprocessor-wait": {
    name: "tikv_coprocessor_request_wait_seconds",
    labels: 'req="select",type="all"',
    buckets: SECONDS,
    quantile: 0.9999,
    normal: 0.001,
  },
};

/** Every stage name. */
export const STAGE_NAMES = Object.keys(STAGES) as Stage[];

const LOG_LAG: Omit<HistogramShape, "rate"> = {
  name: "tikv_raftstore_log_lag",
  labels: "",
  buckets: [2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 5120, 10240],
  quantile: 0.99,
  normal: 3,
};
const REGION_SIZE: Omit<HistogramShape, "rate"> = {
  name: "tikv_raftstore_region_size",
  labels: "",
  buckets: exponentialBuckets(MiB, 2, 20),
  quantile: 0.99,
  normal: 96 * MiB,
};
const FAMILIES = new Map<string, string>([
  ["tikv_storage_engine_async_request_duration_seconds", "histogram"],
  ["tikv_raftstore_append_log_duration_seconds", "histogram"],
  ["tikv_raftstore_apply_log_duration_seconds", "histogram"],
  ["tikv_raftstore_raft_process_duration_secs", "histogram"],
  ["tikv_scheduler_command_duration_seconds", "histogram"],
  ["tikv_scheduler_latch_wait_duration_seconds", "histogram"],
  ["tikv_coprocessor_request_wait_seconds", "histogram"],
]);
/**
 * GC runs at least as often as the write CF compacts, so any two scrapes that see a compaction also
 * see GC: a healthy store never looks like `gc_not_working`, however young its Prometheus is.
 */
const GC_TASKS_PER_SECOND = 1;
const COMPACTIONS_PER_SECOND = 1;
const CHANNEL_FULL_PER_SECOND = 5;

/**
 * The metrics behind the official alert rules that the core families do not cover: stage latency
 * histograms, raft log lag, region sizes, pending commands and requests, GC and compaction counters,
 * and the counters TiKV creates at their first event (critical errors, full channels, unreachable
 * reports), which are absent until then, as in TiKV.
 */
export class HealthMetrics {
  readonly #stages: Map<Stage, DesignedHistogram>;
  readonly #logLag: DesignedHistogram;
  readonly #regionSize: DesignedHistogram;
  readonly #gcTasks: Accumulator;
  readonly #filterRuns: Accumulator;
  readonly #compactions: Accumulator;
  readonly #channelFull: Accumulator;
  readonly #unreachable = new Map<number, Accumulator>();
  #settings: HealthSettings | null = null;

  constructor(nowMs: number, uptimeSeconds: number, requestsPerSecond: number) {
    const rate = Math.max(1, requestsPerSecond / 4);
    this.#stages = new Map(
      STAGE_NAMES.map((stage) => [
        stage,
        new DesignedHistogram({ ...STAGES[stage], rate }, nowMs, uptimeSeconds),
      ]),
    );
    this.#logLag = new DesignedHistogram({ ...LOG_LAG, rate }, nowMs, uptimeSeconds);
    this.#regionSize = new DesignedHistogram({ ...REGION_SIZE, rate: 1 }, nowMs, uptimeSeconds);
    this.#gcTasks = new Accumulator(nowMs, GC_TASKS_PER_SECOND, GC_TASKS_PER_SECOND * uptimeSeconds);
    this.#filterRuns = new Accumulator(nowMs, GC_TASKS_PER_SECOND, GC_TASKS_PER_SECOND * uptimeSeconds);
    this.#compactions = new Accumulator(
      nowMs,
      COMPACTIONS_PER_SECOND,
      COMPACTIONS_PER_SECOND * uptimeSeconds,
    );
    this.#channelFull = new Accumulator(nowMs, 0);
  }

  /** Applies fault settings from `nowMs` on. */
  apply(nowMs: number, settings: HealthSettings): void {
    this.#settings = settings;
    for (const [stage, histogram] of this.#stages) histogram.set(nowMs, settings.stages.get(stage) ?? null);
    this.#logLag.set(nowMs, settings.logLag);
    this.#regionSize.set(nowMs, settings.regionSizeBytes);
    const gc = settings.gcStuck ? 0 : GC_TASKS_PER_SECOND;
    this.#gcTasks.setRate(nowMs, gc);
    this.#filterRuns.setRate(nowMs, gc);
    this.#channelFull.setRate(nowMs, settings.channelFull ? CHANNEL_FULL_PER_SECOND : 0);
    for (const [target, perSecond] of settings.unreachable) {
      const counter = this.#unreachable.get(target);
      if (counter) counter.setRate(nowMs, perSecond);
      else if (perSecond > 0) this.#unreachable.set(target, new Accumulator(nowMs, perSecond, 1));
    }
    for (const [target, counter] of this.#unreachable) {
      if (!settings.unreachable.has(target)) counter.setRate(nowMs, 0);
    }
  }

  /** Appends every family's exposition text at real time `nowMs`. */
  render(nowMs: number, out: string[]): void {
    let family = "";
    for (const stage of STAGE_NAMES) {
      const name = STAGES[stage].name;
      if (name !== family) {
        family = name;
        out.push(`# HELP ${name} ${name}\n# TYPE ${name} ${FAMILIES.get(name) ?? "histogram"}\n`);
      }
      this.#stages.get(stage)?.render(nowMs, out);
    }
    out.push(
      "# HELP tikv_raftstore_log_lag Bucketed histogram of log lag in a region\n# TYPE tikv_raftstore_log_lag histogram\n",
    );
    this.#logLag.render(nowMs, out);
    out.push(
      "# HELP tikv_raftstore_region_size Bucketed histogram of approximate region size.\n# TYPE tikv_raftstore_region_size histogram\n",
    );
    this.#regionSize.render(nowMs, out);
    const s = this.#settings;
    out.push(
      "# HELP tikv_scheduler_contex_total Total number of pending commands.\n# TYPE tikv_scheduler_contex_total gauge\n",
      `tikv_scheduler_contex_total ${s?.schedulerPending ?? 2}\n`,
      "# HELP tikv_coprocessor_pending_request Total number of pending push down request.\n# TYPE tikv_coprocessor_pending_request gauge\n",
      `tikv_coprocessor_pending_request{priority="normal",req="select"} ${s?.coprocessorPending ?? 1}\n`,
      "# HELP tikv_worker_pending_task_total Current worker pending + running tasks.\n# TYPE tikv_worker_pending_task_total gauge\n",
      `tikv_worker_pending_task_total{name="pd-worker"} ${s?.workerPending ?? 0}\n`,
      `tikv_worker_pending_task_total{name="split-check"} 1\n`,
      "# HELP tikv_gcworker_gc_tasks_vec Counter of gc tasks processed by gc_worker\n# TYPE tikv_gcworker_gc_tasks_vec counter\n",
      `tikv_gcworker_gc_tasks_vec{task="gc"} ${Math.floor(this.#gcTasks.valueAt(nowMs))}\n`,
      "# HELP tikv_gc_compaction_filter_perform Filtered versions by compaction\n# TYPE tikv_gc_compaction_filter_perform counter\n",
      `tikv_gc_compaction_filter_perform ${Math.floor(this.#filterRuns.valueAt(nowMs))}\n`,
      "# HELP tikv_engine_event_total Number of engine events\n# TYPE tikv_engine_event_total counter\n",
      `tikv_engine_event_total{cf="write",db="kv",type="compaction"} ${Math.floor(this.#compactions.valueAt(nowMs))}\n`,
    );
    if (s && s.criticalErrors > 0) {
      out.push(
        "# HELP tikv_critical_error_total Counter of critical error.\n# TYPE tikv_critical_error_total counter\n",
        `tikv_critical_error_total{type="sst_corruption"} ${s.criticalErrors}\n`,
      );
    }
    const full = Math.floor(this.#channelFull.valueAt(nowMs));
    if (full > 0) {
      out.push(
        "# HELP tikv_channel_full_total Total number of channel full errors.\n# TYPE tikv_channel_full_total counter\n",
        `tikv_channel_full_total{type="raftstore"} ${full}\n`,
      );
    }
    if (this.#unreachable.size > 0) {
      out.push(
        "# HELP tikv_server_report_failure_msg_total Total number of reporting failure messages\n# TYPE tikv_server_report_failure_msg_total counter\n",
      );
      for (const [target, counter] of this.#unreachable) {
        out.push(
          `tikv_server_report_failure_msg_total{store_id="${target}",type="unreachable"} ${Math.floor(counter.valueAt(nowMs))}\n`,
        );
      }
    }
  }
}
