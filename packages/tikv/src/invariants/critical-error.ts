import { eventInvariant } from "./event-counter.ts";
import type { MetricInvariant } from "./metric-invariant.ts";

/**
 * No store counts a critical error (`tikv_critical_error_total`: RocksDB read or iterator errors,
 * SST corruption) within `windowMinutes` (10). The official `TiKV_critical_error`
 * (`sum(rate(tikv_critical_error_total[1m])) by (type, instance) > 0`) misses the first error of a
 * kind: TiKV creates the series at that error with the value 1, and `rate()` needs an increase
 * between two samples. A lone error, the usual case, never fires it.
 */
export const criticalError: MetricInvariant = eventInvariant({
  name: "critical_error",
  description: "No TiKV store reports a critical error (data corruption, storage engine errors).",
  severity: "critical",
  forMs: 0,
  runbook: {
    hint: "Read the store's tikv.log around the error (grep -i 'critical\\|corruption'), then check its disk (dmesg, SMART) before restarting it",
  },
  metric: "tikv_critical_error_total",
  by: "type",
  key: "criticalErrors",
  noun: "critical errors",
  windowMinutes: 10,
  consequence: "its data or disk may be damaged",
});
