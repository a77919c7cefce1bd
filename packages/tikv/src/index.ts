/**
 * `@operator/tikv`: the Operator subject plugin for TiKV clusters. Its contract: the default export
 * is the factory `(options) => Subject`; the options, observation and stats types describe what goes
 * in and comes out; the error classes are what its reads throw. Everything else (the PD and
 * Prometheus clients, the invariants, the queries) is internal and may change in any release.
 */
export type { RequestErrorDetails } from "./errors.ts";
export { PdError, PrometheusError, ResponseShapeError } from "./errors.ts";
export type { CallContext, RequestEvent } from "./http.ts";
export type {
  MetricReading,
  RegionCheckName,
  RegionCheckSummary,
  RegionHealth,
  SourceFailure,
  TikvObservation,
} from "./observation.ts";
export type { PdStore, PdStoreStatus } from "./pd-client.ts";
export type { PdApiObservation } from "./pd-health.ts";
export type { Sample } from "./prometheus-client.ts";
export type { TikvOptions, TikvStats, TikvSubject } from "./subject.ts";
export { SUBJECT_KIND, tikvSubject } from "./subject.ts";

import { tikvSubject } from "./subject.ts";
export default tikvSubject;
