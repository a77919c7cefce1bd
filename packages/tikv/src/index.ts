/**
 * `@operator/tikv`: the Operator subject plugin for TiKV clusters. The default export is the factory
 * `(options) => Subject`; the PD and Prometheus clients, the invariants and the join helpers are
 * exported for reuse and tests. Internal: the HTTP layer, zod schemas and JSON helpers.
 */
export { formatByteSize, parseByteSize } from "./byte-size.ts";
export type { RequestErrorDetails } from "./errors.ts";
export { PdError, PrometheusError, ResponseShapeError } from "./errors.ts";
export type { CallContext, RequestEvent } from "./http.ts";
export {
  CLUSTER_ENTITY,
  HIGH_LATENCY,
  highLatency,
  LEADER_DROP,
  LOW_DISK_SPACE,
  leaderDrop,
  lowDiskSpace,
  METRIC_OF,
  PD_INVARIANTS,
  RAFTSTORE_CPU,
  REGION_HEALTH,
  raftstoreCpu,
  regionHealth,
  STORE_DOWN,
  storeDown,
  TIKV_INVARIANTS,
  WRITE_STALL,
  writeStall,
} from "./invariants/index.ts";
export { DEFAULT_STATUS_PORT, hasTikvMetrics, instanceOf } from "./join.ts";
export type {
  MetricReading,
  RegionCheckName,
  RegionCheckSummary,
  RegionHealth,
  SourceFailure,
  TikvObservation,
} from "./observation.ts";
export { isMetricFailure, isRegionFailure, MAX_REGION_IDS, REGION_CHECKS, storeGone } from "./observation.ts";
export {
  DEFAULT_LEADER_DROP_WINDOW,
  DEFAULT_RATE_WINDOW,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
} from "./options.ts";
export type {
  PdClient,
  PdClientOptions,
  PdMemberHealth,
  PdRegion,
  PdStore,
  PdStoreStatus,
  RegionCheck,
  RegionCheckType,
} from "./pd-client.ts";
export { createPdClient, DEFAULT_PD_MAX_BODY_BYTES, PD_API } from "./pd-client.ts";
export type {
  PrometheusClient,
  PrometheusClientOptions,
  QueryResult,
  Sample,
} from "./prometheus-client.ts";
export {
  createPrometheusClient,
  DEFAULT_PROMETHEUS_MAX_BODY_BYTES,
  QUERY_ENDPOINT,
} from "./prometheus-client.ts";
export type { MetricName, QueryWindows } from "./queries.ts";
export { buildQueries, METRIC_NAMES } from "./queries.ts";
export { observedSources, PROMETHEUS_SOURCE, REGION_CHECKS_SOURCE } from "./sources.ts";
export type { TikvOptions, TikvStats, TikvSubject } from "./subject.ts";
export { SUBJECT_KIND, tikvSubject } from "./subject.ts";

import { tikvSubject } from "./subject.ts";
export default tikvSubject;
