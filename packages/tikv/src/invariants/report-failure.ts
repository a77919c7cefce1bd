import { DEFAULT_SETTINGS, type EntityResult } from "@operator/core";
import { isMetricFailure } from "../observation.ts";
import type { MetricInvariant } from "./metric-invariant.ts";
import { jsonNumber, removedResults, storeLabel, storeValues, tombstoneResult } from "./per-store.ts";
import { PRESENCE_LABEL, seconds } from "./promql.ts";

const KEY = "reportFailures";
const STATE_UNJUDGED = new Set(["Disconnected", "Down"]);

/**
 * The other stores can reach each store: the rate at which they report raft messages to it as
 * unreachable (`tikv_server_report_failure_msg_total{type="unreachable"}`, labelled with the
 * *remote* `store_id`) stays at or below `perSecond` (10) over `windowMinutes` (10), as the official
 * `TiKV_server_report_failure_msg_total`. The entity is the unreachable store. A store PD already
 * reports Disconnected or Down is `unknown` here (`store_down` has it). No report at all holds, as
 * long as some TiKV store is scraped (the counter is created at the first failure).
 */
export const reportFailure: MetricInvariant = {
  name: "report_failure",
  description: "Other TiKV stores can send raft messages to every store (few unreachable reports).",
  defaults: {
    ...DEFAULT_SETTINGS,
    severity: "critical",
    forMs: 60_000,
    thresholds: { perSecond: 10, windowMinutes: 10 },
  },
  runbook: {
    hint: "Check the network between the named store and its peers (ping, firewall, DNS of its advertise address) and whether its gRPC port answers",
  },
  queries: ({ settings }) => {
    const window = seconds((settings.thresholds.windowMinutes ?? 10) * 60);
    return {
      [KEY]:
        `sum(rate(tikv_server_report_failure_msg_total{type="unreachable"}[${window}])) by (store_id)` +
        ` or label_replace(0 * count(tikv_raftstore_region_count{type="region"}), "${PRESENCE_LABEL}", "1", "", "")`,
    };
  },
  evaluate(observation, settings) {
    const threshold = settings.thresholds.perSecond ?? 10;
    const reading = observation.metrics[KEY];
    if (!reading)
      return {
        unknown: `No Prometheus reading for ${KEY}: no Prometheus is configured or the query did not run`,
      };
    if (isMetricFailure(reading)) return { unknown: `Prometheus query failed: ${reading.error.message}` };
    if (!reading.samples.some((sample) => sample.labels[PRESENCE_LABEL] !== undefined))
      return { unknown: "No TiKV store is scraped by Prometheus: unreachable reports cannot be read" };
    const rates = new Map<string, number>();
    for (const sample of reading.samples) {
      const target = sample.labels.store_id;
      if (target !== undefined) rates.set(target, (rates.get(target) ?? 0) + sample.value);
    }
    const results: EntityResult[] = removedResults(observation);
    for (const store of observation.stores) {
      if (store.stateName === "Tombstone") {
        results.push(tombstoneResult(store));
        continue;
      }
      if (store.engine !== "tikv") continue;
      const entity = store.id;
      const rate = rates.get(entity) ?? 0;
      if (STATE_UNJUDGED.has(store.stateName)) {
        results.push({
          entity,
          outcome: "unknown",
          reason: `Store ${entity} is ${store.stateName} in PD; store_down covers it`,
        });
      } else if (Number.isNaN(rate)) {
        results.push({
          entity,
          outcome: "unknown",
          reason: `Store ${entity} unreachable-report rate is NaN`,
        });
      } else if (rate <= threshold) {
        results.push({ entity, outcome: "ok" });
      } else {
        results.push({
          entity,
          outcome: "violated",
          message: `${storeLabel(store)} is reported unreachable by its peers ${rate.toFixed(1)} times a second (threshold ${threshold}): raft messages to it fail`,
          values: {
            ...storeValues(store),
            perSecond: jsonNumber(rate),
            thresholdPerSecond: threshold,
            query: reading.query,
          },
        });
      }
    }
    return results;
  },
};
