import type { MetricInvariant } from "./metric-invariant.ts";
import { quantileInvariant } from "./quantile-invariant.ts";

/**
 * Coprocessor requests start in time: the p99.99 of `tikv_coprocessor_request_wait_seconds{type="all"}`
 * per request kind stays at or below `p9999Seconds` (10 s), as the official
 * `TiKV_coprocessor_request_wait_seconds` (critical after 1 m).
 */
export const coprocessorWait: MetricInvariant = quantileInvariant({
  name: "coprocessor_wait",
  description:
    "Coprocessor requests on every TiKV store wait to start with a p99.99 at or below the threshold.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's unified read pool CPU and the TiDB slow log for large scans; the read pool is saturated",
  },
  metric: "tikv_coprocessor_request_wait_seconds",
  selector: 'type="all"',
  quantile: 0.9999,
  by: "req",
  key: "coprocessorWaitP9999",
  threshold: { name: "p9999Seconds", value: 10 },
  unit: "seconds",
  what: "coprocessor wait p99.99",
  consequence: "analytical and index reads queue",
});
