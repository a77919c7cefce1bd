import { expect, it } from "vitest";
import * as api from "../src/index.ts";

it("exposes exactly the documented runtime surface", () => {
  expect(Object.keys(api).sort()).toEqual(
    [
      "BodyTooLarge",
      "DEFAULT_MAX_BODY_BYTES",
      "DEFAULT_PROMETHEUS_MAX_BODY_BYTES",
      "DEFAULT_RETRIES",
      "DEFAULT_TIMEOUT_MS",
      "HttpRequestError",
      "MAX_DEPTH",
      "MAX_REDIRECTS",
      "MAX_SECRET_FILE_BYTES",
      "PIECE_CHARS",
      "PrometheusError",
      "QUERY_ENDPOINT",
      "REDACTED",
      "RefusedAnswer",
      "ResponseShapeError",
      "TransportFailure",
      "assertTlsUrl",
      "authOptionsSchema",
      "checkBaseUrl",
      "checkShape",
      "createHttpClient",
      "createPrometheusClient",
      "createRedactor",
      "decodeJsonSliced",
      "defaultRetryable",
      "describeFailure",
      "describeTls",
      "describeTlsFailure",
      "formatBytes",
      "formatPath",
      "isRetryableStatus",
      "parseJson",
      "parseJsonSliced",
      "readCappedText",
      "readOptionFile",
      "redactError",
      "redactUserinfo",
      "resolveAuth",
      "resolveSecret",
      "resolveTls",
      "secretValueSchema",
      "secretsOf",
      "statusFailure",
      "tlsOptionsSchema",
      "urlProblem",
      "withoutCredentials",
      "yieldToEventLoop",
    ].sort(),
  );
});

it("@operator/subject-kit/testing exposes exactly its test helpers", async () => {
  const testing = await import("../src/testing/index.ts");
  expect(Object.keys(testing).sort()).toEqual([
    "gzipBomb",
    "peakRssGrowth",
    "startTestServer",
    "streamRepeated",
  ]);
});
