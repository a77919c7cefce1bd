import type { ClusterModel } from "../model/cluster-model.ts";
import { type GoJsonValue, goDuration } from "./go-format.ts";

/** PD version the simulator reports. */
export const PD_VERSION = "v8.5.0";
export const PD_GIT_HASH = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

/** `GET /config/replicate`: booleans are JSON strings (`json:",string"`), labels comma-joined. */
export function replicationConfig(): GoJsonValue {
  return {
    "max-replicas": 3,
    "location-labels": "zone,host",
    "strictly-match-label": "false",
    "enable-placement-rules": "true",
    "enable-placement-rules-cache": "false",
    "isolation-level": "",
  };
}

/** `GET /config/schedule`: PD's defaults, with the cluster's `max-store-down-time`. */
export function scheduleConfig(cluster: ClusterModel): GoJsonValue {
  return {
    "max-snapshot-count": 64,
    "max-pending-peer-count": 64,
    "max-merge-region-size": 54,
    "max-merge-region-keys": 540000,
    "split-merge-interval": "1h0m0s",
    "swtich-witness-interval": "1h0m0s",
    "enable-one-way-merge": "false",
    "enable-cross-table-merge": "true",
    "patrol-region-interval": "10ms",
    "max-store-down-time": goDuration(BigInt(Math.round(cluster.maxStoreDownTimeMs)) * 1_000_000n),
    "max-store-preparing-time": "48h0m0s",
    "leader-schedule-limit": 4,
    "leader-schedule-policy": "count",
    "region-schedule-limit": 2048,
    "witness-schedule-limit": 4,
    "replica-schedule-limit": 64,
    "merge-schedule-limit": 8,
    "hot-region-schedule-limit": 4,
    "hot-region-cache-hits-threshold": 3,
    "tolerant-size-ratio": 0,
    "low-space-ratio": 0.8,
    "high-space-ratio": 0.7,
    "region-score-formula-version": "v2",
    "scheduler-max-waiting-operator": 5,
    "enable-remove-down-replica": "true",
    "enable-replace-offline-replica": "true",
    "enable-make-up-replica": "true",
    "enable-remove-extra-replica": "true",
    "enable-location-replacement": "true",
    "enable-debug-metrics": "false",
    "enable-joint-consensus": "true",
    "enable-tikv-split-region": "true",
    "enable-witness": "false",
    "slow-store-evicting-affected-store-ratio-threshold": 0.3,
    "store-limit-version": "v1",
    "patrol-region-worker-count": 1,
  };
}

/** `GET /config`: the parts of PD's full configuration a monitor reads. */
export function fullConfig(cluster: ClusterModel, pdUrl: string): GoJsonValue {
  return {
    "client-urls": pdUrl,
    "peer-urls": "http://pd-1.sim:2380",
    "advertise-client-urls": pdUrl,
    "advertise-peer-urls": "http://pd-1.sim:2380",
    name: "pd-1",
    "data-dir": "/tidb-data/pd-2379",
    "force-new-cluster": false,
    "enable-grpc-gateway": true,
    "initial-cluster": "pd-1=http://pd-1.sim:2380",
    "initial-cluster-state": "new",
    lease: 5,
    log: { level: "info", file: { filename: "/tidb-deploy/pd-2379/log/pd.log" } },
    "tso-save-interval": "3s",
    schedule: scheduleConfig(cluster),
    replication: replicationConfig(),
    "pd-server": {
      "use-region-storage": "true",
      "max-gap-reset-ts": "24h0m0s",
      "key-type": "table",
      "runtime-services": "",
      "metric-storage": "",
      "dashboard-address": "auto",
      "flow-round-by-digit": 3,
      "min-resolved-ts-persistence-interval": "1s",
      "server-memory-limit": 0,
    },
    "cluster-version": PD_VERSION.slice(1),
  };
}
