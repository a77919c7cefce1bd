import type { MetricInvariant } from "./metric-invariant.ts";
import { quantileInvariant } from "./quantile-invariant.ts";

/**
 * Transactional commands finish in time: the p99 of `tikv_scheduler_command_duration_seconds` per
 * command type stays at or below `p99Seconds` (1 s). The official `TiKV_scheduler_command_duration_seconds`
 * divides the bucket rates by 1000 inside `histogram_quantile`, which leaves the quantile unchanged
 * (the metric is already in seconds): it is this rule.
 */
export const schedulerCommandLatency: MetricInvariant = quantileInvariant({
  name: "scheduler_command_latency",
  description:
    "Every TiKV store finishes each kind of transactional command with a p99 at or below the threshold.",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's scheduler panels (latch wait, async write, scheduler worker CPU) for the named command type, and hot keys (lock contention)",
  },
  metric: "tikv_scheduler_command_duration_seconds",
  quantile: 0.99,
  by: "type",
  key: "schedulerCommandP99",
  threshold: { name: "p99Seconds", value: 1 },
  unit: "seconds",
  what: "scheduler command p99",
});

/**
 * Commands do not queue on latches: the p99 of `tikv_scheduler_latch_wait_duration_seconds` per
 * command type stays at or below `p99Seconds` (1 s), as the official rule (critical after 1 m).
 */
export const schedulerLatchWait: MetricInvariant = quantileInvariant({
  name: "scheduler_latch_wait",
  description:
    "Transactional commands on every TiKV store wait for latches with a p99 at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Look for hot keys written concurrently (TiDB slow log, Key Visualizer); long latch waits are write conflicts on the same keys",
  },
  metric: "tikv_scheduler_latch_wait_duration_seconds",
  quantile: 0.99,
  by: "type",
  key: "schedulerLatchWaitP99",
  threshold: { name: "p99Seconds", value: 1 },
  unit: "seconds",
  what: "scheduler latch wait p99",
  consequence: "writes to the same keys queue behind each other",
});
