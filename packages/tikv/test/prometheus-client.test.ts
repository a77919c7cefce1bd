import { closedPort } from "@operator/core/testing";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrometheusError, ResponseShapeError } from "../src/errors.ts";
import { createPrometheusClient, type PrometheusClient } from "../src/prometheus-client.ts";
import { failure } from "./helpers/failure.ts";

const QUERY = "/api/v1/query";
let server: TestServer;
let prom: PrometheusClient;

function vector(
  samples: Array<[Record<string, string>, string]>,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    status: "success",
    data: {
      resultType: "vector",
      result: samples.map(([metric, value]) => ({ metric, value: [1700000000.123, value] })),
    },
    ...extra,
  });
}

beforeAll(async () => {
  server = await startTestServer();
  prom = createPrometheusClient({ url: server.url, timeoutMs: 2000, retries: 0 });
});
afterAll(() => server.close());

describe("instant queries", () => {
  it("evaluates at the time asked for, in seconds with milliseconds, and at Prometheus's now otherwise", async () => {
    const times: (string | null)[] = [];
    server.route(QUERY, (_request, url) => {
      times.push(url.searchParams.get("time"));
      return { body: vector([]) };
    });
    await prom.query("up", {}, { time: 1_764_750_000_123 });
    await prom.query("up");
    expect(times).toEqual(["1764750000.123", null]);
  });

  it("sends the query and parses a vector with string values", async () => {
    server.route(QUERY, (_request, url) => ({
      body: vector([
        [{ instance: "tikv-1:20180", job: "tikv" }, url.searchParams.get("query") === "up" ? "1" : "0"],
        [{ instance: "tikv-2:20180", job: "tikv" }, "0.0123"],
      ]),
    }));
    const result = await prom.query("up");
    expect(result.query).toBe("up");
    expect(result.warnings).toEqual([]);
    expect(result.samples).toEqual([
      { labels: { instance: "tikv-1:20180", job: "tikv" }, value: 1, timestamp: 1700000000123 },
      { labels: { instance: "tikv-2:20180", job: "tikv" }, value: 0.0123, timestamp: 1700000000123 },
    ]);
    expect(server.requests.at(-1)).toMatch(/^\/api\/v1\/query\?query=up$/);
  });

  it("reads NaN, +Inf and -Inf", async () => {
    server.route(QUERY, {
      body: vector([
        [{ instance: "a" }, "NaN"],
        [{ instance: "b" }, "+Inf"],
        [{ instance: "c" }, "-Inf"],
        [{ instance: "d" }, "1e-05"],
      ]),
    });
    const values = (await prom.query("q")).samples.map((sample) => sample.value);
    expect(values[0]).toBeNaN();
    expect(values.slice(1)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0.00001]);
  });

  it("an empty vector is an answer, not an error", async () => {
    server.route(QUERY, { body: '{"status":"success","data":{"resultType":"vector","result":[]}}' });
    expect((await prom.query("absent_metric")).samples).toEqual([]);
  });

  it("keeps warnings of a successful query", async () => {
    server.route(QUERY, {
      body: vector([[{ instance: "a" }, "1"]], { warnings: ["PromQL info: metric might not be a counter"] }),
    });
    expect((await prom.query("q")).warnings).toEqual(["PromQL info: metric might not be a counter"]);
  });

  it("reads a scalar as one unlabelled sample", async () => {
    server.route(QUERY, {
      body: '{"status":"success","data":{"resultType":"scalar","result":[1700000000,"42"]}}',
    });
    expect((await prom.query("scalar(42)")).samples).toEqual([
      { labels: {}, value: 42, timestamp: 1700000000000 },
    ]);
  });

  it("passes the remaining time budget as Prometheus's own query timeout", async () => {
    server.route(QUERY, { body: vector([]) });
    await prom.query("up", { deadline: Date.now() + 4500 });
    expect(new URL(`http://x${server.requests.at(-1)}`).searchParams.get("timeout")).toMatch(/^[34]s$/);
  });

  it("sends the configured headers", async () => {
    server.route(QUERY, { body: vector([]) });
    const client = createPrometheusClient({ url: server.url, headers: { authorization: "Bearer t0k" } });
    await client.query("up");
    expect(server.headers.at(-1)?.authorization).toBe("Bearer t0k");
  });
});

describe("failures", () => {
  it.each([
    [400, "bad_data", 'parse error at char 4: unexpected "}"', "client_error", false],
    [422, "execution", "expanding series: context deadline exceeded", "server_error", false],
    [503, "timeout", "query timed out in expression evaluation", "timeout", true],
    [503, "unavailable", "TSDB not ready", "server_error", true],
  ])(
    'status %i with status "error" (%s) is a PrometheusError',
    async (status, errorType, message, reason, retryable) => {
      server.route(QUERY, { status, body: JSON.stringify({ status: "error", errorType, error: message }) });
      const error = await failure(prom.query("sum(x"));
      expect(error).toBeInstanceOf(PrometheusError);
      expect(error).toMatchObject({ reason, retryable, status, errorType, query: "sum(x" });
      expect(error.message).toContain(`[operator] [tikv] Prometheus request`);
      expect(error.message).toContain(`GET ${server.url}/api/v1/query (${errorType}: ${message})`);
    },
  );

  it("a proxy's non-JSON error page is classified by status", async () => {
    server.route(QUERY, { status: 401, body: "<html>401 Authorization Required</html>" });
    expect(await failure(prom.query("up"))).toMatchObject({ reason: "auth", status: 401 });
    server.route(QUERY, { status: 502, body: "Bad Gateway" });
    expect(await failure(prom.query("up"))).toMatchObject({
      reason: "server_error",
      status: 502,
      retryable: true,
    });
  });

  it.each([
    ["garbage", "not json at all", ""],
    ["truncated JSON", '{"status":"success","data":{"resultType":"vector","result":[{"metric"', ""],
    ["a matrix", '{"status":"success","data":{"resultType":"matrix","result":[]}}', "data.resultType"],
    [
      "a numeric value",
      vector([]).replace("[]", '[{"metric":{},"value":[1,0.5]}]'),
      "data.result[0].value[1]",
    ],
    ["a non-numeric string", vector([[{ instance: "a" }, "fast"]]), "data.result[0].value[1]"],
    ["an object key as the value", vector([[{ instance: "a" }, "constructor"]]), "data.result[0].value[1]"],
    [
      "a label that is not a string",
      vector([]).replace("[]", '[{"metric":{"a":1},"value":[1,"1"]}]'),
      "data.result[0].metric.a",
    ],
    [
      "a point of three",
      vector([]).replace("[]", '[{"metric":{},"value":[1,"1",2]}]'),
      "data.result[0].value",
    ],
    ["a sample that is not an object", vector([]).replace("[]", "[null]"), "data.result[0]"],
    [
      "a scalar without a time",
      '{"status":"success","data":{"resultType":"scalar","result":[null,"1"]}}',
      "data.result[0]",
    ],
    [
      "a bad sample in a long vector",
      vector(Array.from({ length: 400 }, (_, i) => [{ instance: `t${i}` }, i === 300 ? "slow" : "1"])),
      "data.result[300].value[1]",
    ],
    ["no status", '{"data":{}}', "status"],
  ])("%s is a ResponseShapeError with the field path", async (_name, body, field) => {
    server.route(QUERY, { body });
    const error = await failure(prom.query("up"));
    expect(error).toBeInstanceOf(ResponseShapeError);
    expect(error).toMatchObject({ reason: "invalid_response", source: "prometheus", endpoint: QUERY, field });
  });

  it("a refused connection is unreachable", async () => {
    const client = createPrometheusClient({ url: `http://127.0.0.1:${await closedPort()}`, retries: 0 });
    expect(await failure(client.query("up"))).toMatchObject({ reason: "unreachable", retryable: true });
  });

  it("a slow answer is aborted at the timeout", async () => {
    server.route(QUERY, { body: vector([]), delayMs: 30_000 });
    const client = createPrometheusClient({ url: server.url, timeoutMs: 300, retries: 0 });
    expect(await failure(client.query("up"))).toMatchObject({ reason: "timeout" });
  });

  it("sends credentials written into the URL as Basic auth, and never shows them", async () => {
    server.route(QUERY, { body: vector([]) });
    const authed = createPrometheusClient({ url: server.url.replace("//", "//user:pa55word@"), retries: 0 });
    await authed.query("up");
    expect(server.headers.at(-1)?.authorization).toBe(
      `Basic ${Buffer.from("user:pa55word").toString("base64")}`,
    );
    const port = await closedPort();
    const client = createPrometheusClient({ url: `http://user:pa55word@127.0.0.1:${port}`, retries: 0 });
    const error = await failure(client.query("up"));
    expect(error.message).not.toContain("pa55word");
    expect((error as PrometheusError).url).toBe(`http://127.0.0.1:${port}/api/v1/query`);
  });
});
