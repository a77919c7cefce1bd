/**
 * `@operator/subject-kit`: what an Operator subject plugin needs to read a system over HTTP. An HTTP
 * client on ky (per-attempt timeout, retries of GETs on transient failures only, capped by the
 * cycle's deadline and abortable by its signal, a body cap, same-origin redirects only, TLS, errors
 * free of secrets), auth and TLS options with `$env`/`$file` secrets, URL option checks, uint64-safe
 * JSON decoding, and a Prometheus instant-query client.
 */
export type { AuthOptions } from "./auth.ts";
export { authOptionsSchema, resolveAuth } from "./auth.ts";
export { BodyTooLarge, formatBytes, readCappedText } from "./body.ts";
export type { ElementSchema, ListAt, ShapeErrorFactory } from "./decode.ts";
export { checkShape, decodeJsonSliced } from "./decode.ts";
export type { RequestErrorDetails } from "./errors.ts";
export {
  defaultRetryable,
  describeFailure,
  HttpRequestError,
  isRetryableStatus,
  RefusedAnswer,
  ResponseShapeError,
  redactError,
  statusFailure,
  TransportFailure,
} from "./errors.ts";
export type {
  CallContext,
  HttpClient,
  HttpClientOptions,
  HttpResponse,
  RequestEvent,
  RequestOptions,
} from "./http.ts";
export {
  createHttpClient,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_RETRIES,
  DEFAULT_TIMEOUT_MS,
  MAX_REDIRECTS,
} from "./http.ts";
export { formatPath, parseJson } from "./json.ts";
export type {
  PrometheusClient,
  PrometheusClientOptions,
  QueryOptions,
  QueryResult,
  Sample,
} from "./prometheus.ts";
export {
  createPrometheusClient,
  DEFAULT_PROMETHEUS_MAX_BODY_BYTES,
  PrometheusError,
  QUERY_ENDPOINT,
} from "./prometheus.ts";
export { createRedactor, REDACTED, redactUserinfo, secretsOf } from "./redact.ts";
export type { SecretValue } from "./secret.ts";
export { MAX_SECRET_FILE_BYTES, readOptionFile, resolveSecret, secretValueSchema } from "./secret.ts";
export { MAX_DEPTH, PIECE_CHARS, parseJsonSliced, yieldToEventLoop } from "./sliced-json.ts";
export type { ResolvedTls, TlsOptions } from "./tls.ts";
export { assertTlsUrl, describeTls, describeTlsFailure, resolveTls, tlsOptionsSchema } from "./tls.ts";
export { checkBaseUrl, urlProblem, withoutCredentials } from "./url.ts";
