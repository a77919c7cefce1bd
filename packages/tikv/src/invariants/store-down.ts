import {
  DEFAULT_SETTINGS,
  type EntityResult,
  formatDuration,
  type Invariant,
  SEVERITIES,
  type Severity,
} from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import type { PdStore } from "../pd-client.ts";
import { removedResults, storeLabel, storeOk, tombstoneResult } from "./per-store.ts";

/** Name of the store-down invariant. */
export const STORE_DOWN = "store_down";

/**
 * Every store PD lists is up. PD's own `state_name` decides: `Disconnected` (no heartbeat for 20 s)
 * is a warning, `Down` (none for `max-store-down-time`, 30 min by default) is the same key at the
 * invariant's severity (critical). `Offline` (being removed on purpose) is not a failure; a
 * `Tombstone` store, or one PD no longer lists under the same cluster id, is `ok` with `gone`, so
 * its ticket resolves at once with that reason. Works from PD alone: Prometheus is not needed.
 */
export const storeDown: Invariant<TikvObservation> = {
  name: STORE_DOWN,
  description: "Every store PD knows is up: none Disconnected or Down.",
  runbook: {
    hint: "Check the tikv-server process and its log on the store's host, then `pd-ctl store <id>` for its last heartbeat",
    url: "https://docs.pingcap.com/tidb/stable/tikv-troubleshooting-map",
  },
  defaults: { ...DEFAULT_SETTINGS, severity: "critical", forMs: 0 },
  evaluate(observation, settings) {
    const listed = observation.stores.map((store): EntityResult => {
      const entity = store.id;
      switch (store.stateName) {
        case "Up":
        case "Offline":
          return storeOk(store);
        case "Tombstone":
          return tombstoneResult(store);
        case "Disconnected":
        case "Down": {
          const values = _values(store, observation.at);
          const silent = _silence(values.downSeconds, values.last_heartbeat_ts);
          return {
            entity,
            outcome: "violated",
            message: `${storeLabel(store)} is ${store.stateName}: ${silent}`,
            values,
            ...(store.stateName === "Disconnected"
              ? { severity: _atMost("warning", settings.severity) }
              : {}),
          };
        }
        default:
          return {
            entity,
            outcome: "unknown",
            reason: `Store ${entity} has an unrecognised state "${store.stateName}"`,
          };
      }
    });
    return [...removedResults(observation), ...listed];
  },
};

// --- Internal helpers ---

function _values(store: PdStore, at: number) {
  return {
    store_id: store.id,
    state_name: store.stateName,
    address: store.address,
    status_address: store.statusAddress ?? null,
    last_heartbeat_ts: store.status.lastHeartbeatTs ?? null,
    downSeconds:
      store.lastHeartbeat === undefined ? null : Math.max(0, Math.round((at - store.lastHeartbeat) / 1000)),
    engine: store.engine,
    version: store.version ?? null,
    labels: store.labels,
  };
}

/** PD calls a store Disconnected after 20 s without a heartbeat. */
const DISCONNECT_SECONDS = 20;

/**
 * How long the store has been silent. A shorter time than PD's own 20 s means this host's clock is
 * behind PD's: then the last heartbeat's time is shown instead.
 */
function _silence(downSeconds: number | null, lastHeartbeatTs: string | null): string {
  if (downSeconds !== null && downSeconds >= DISCONNECT_SECONDS) {
    return `no heartbeat for ${formatDuration(downSeconds * 1000)}`;
  }
  return lastHeartbeatTs ? `last heartbeat at ${lastHeartbeatTs}` : "no heartbeat recorded";
}

/** The less urgent of two severities. */
function _atMost(cap: Severity, severity: Severity): Severity {
  return SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(cap) ? severity : cap;
}
