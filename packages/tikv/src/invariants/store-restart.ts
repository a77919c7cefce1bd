import { holdsWhen, type MetricInvariant } from "./metric-invariant.ts";
import { seconds } from "./promql.ts";
import { storeThresholdInvariant, sumOf } from "./store-threshold.ts";

/**
 * No TiKV process restarted within `windowMinutes` (5): `changes(process_start_time_seconds[5m])`
 * stays at or below `restarts` (0), as the official `TiKV_node_restart`. A store that stays down is
 * `store_down`'s; this one sees a process that crashes and comes back between two heartbeats.
 *
 * Off by default: its ticket resolves itself when the restart leaves the window, whatever anyone
 * does, and a planned rolling restart opens one per store. Turn it on
 * (`{ store_restart: { enabled: true } }`) to be told of crash loops and OOM kills that PD never
 * sees as Disconnected.
 */
export const storeRestart: MetricInvariant = storeThresholdInvariant({
  name: "store_restart",
  description: "No TiKV process restarted within the window.",
  severity: "warning",
  forMs: 0,
  enabled: false,
  runbook: {
    hint: "Read the end of the store's previous tikv.log and tikv_stderr.log (panic, OOM kill in dmesg, a supervisor restart) before it rotates",
  },
  threshold: { name: "restarts", value: 0 },
  extraThresholds: { windowMinutes: 5 },
  unit: "count",
  what: "process restarts",
  nanIsUnknown: true,
  queries: ({ settings }) => ({
    restarts: `sum(changes(process_start_time_seconds[${seconds((settings.thresholds.windowMinutes ?? 5) * 60)}])) by (instance)`,
  }),
  holds: (query, threshold) => holdsWhen(query, "sum", "<=", threshold),
  measure: (samples, _all, thresholds) => ({
    value: sumOf(samples),
    describe: () => ({
      values: { windowMinutes: thresholds.windowMinutes ?? 5 },
      detail: `in the last ${thresholds.windowMinutes ?? 5} min`,
    }),
  }),
});
