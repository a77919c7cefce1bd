import { describe, expect, it } from "vitest";
import { MAX_BATCH_CHARS, packQueries, QUERY_LABEL, readBatched } from "../src/batched-reads.ts";
import { PrometheusError } from "../src/errors.ts";
import type { PrometheusClient, QueryOptions, QueryResult } from "../src/prometheus-client.ts";

const AT = 1_764_750_000_123;

/** Each query's samples when asked alone: one per member, valued by the query's length. */
function samplesOf(query: string): QueryResult["samples"] {
  return ["pd-1:2379", "pd-2:2379"].map((instance) => ({
    labels: { instance },
    value: query.length,
    timestamp: AT,
  }));
}

/**
 * A Prometheus client that answers a batch by labelling each part's samples with its index, and a
 * single query with its samples; `refuse` and `fail` name PromQL fragments that make a request fail.
 */
function fakePrometheus(options: { refuse?: string; fail?: string; unlabelled?: boolean } = {}) {
  const asked: { promql: string; time: number | undefined }[] = [];
  const client: PrometheusClient = {
    async query(promql: string, _context?: unknown, query: QueryOptions = {}): Promise<QueryResult> {
      asked.push({ promql, time: query.time });
      if (options.fail !== undefined && promql.includes(options.fail)) {
        throw new PrometheusError("http://prom/api/v1/query", { reason: "server_error", status: 503 });
      }
      if (options.refuse !== undefined && promql.includes(options.refuse)) {
        throw new PrometheusError("http://prom/api/v1/query", {
          reason: "server_error",
          status: 422,
          errorType: "execution",
        });
      }
      const parts = [...promql.matchAll(/label_replace\((.+?), "operator_query", "(\d+)", "", ""\)/g)];
      if (parts.length === 0) return { query: promql, samples: samplesOf(promql), warnings: [] };
      const samples = parts.flatMap(([, part = "", index = ""]) =>
        samplesOf(part).map((sample) => ({
          ...sample,
          labels: options.unlabelled ? sample.labels : { ...sample.labels, [QUERY_LABEL]: index },
        })),
      );
      return { query: promql, samples, warnings: ["partial data"] };
    },
  };
  return { client, asked };
}

describe("readBatched", () => {
  it("reads several queries in one request and gives each exactly its own samples, in order", async () => {
    const { client, asked } = fakePrometheus();
    const queries = ["up", "sum(rate(a[1m])) by (instance)", "max by (instance) (b)"];
    const answers = await readBatched(client, queries, {}, { time: AT });
    expect(asked).toHaveLength(1);
    expect(asked[0]?.time).toBe(AT);
    expect(answers).toEqual(
      queries.map((query) => ({ query, samples: samplesOf(query), warnings: ["partial data"] })),
    );
  });

  it("sends a batch of one as written", async () => {
    const { client, asked } = fakePrometheus();
    const answers = await readBatched(client, ["up"], {});
    expect(asked.map((a) => a.promql)).toEqual(["up"]);
    expect(answers).toEqual([{ query: "up", samples: samplesOf("up"), warnings: [] }]);
  });

  it("asks a refused batch again one query per request, so only the faulty query fails", async () => {
    const { client, asked } = fakePrometheus({ refuse: "broken" });
    const answers = await readBatched(client, ["up", "broken", "down"], {});
    expect(asked.map((a) => a.promql).slice(1)).toEqual(["up", "broken", "down"]);
    expect(answers[0]).toEqual({ query: "up", samples: samplesOf("up"), warnings: [] });
    expect((answers[1] as { error: PrometheusError }).error.errorType).toBe("execution");
    expect(answers[2]).toEqual({ query: "down", samples: samplesOf("down"), warnings: [] });
  });

  it("asks one query per request when the answer does not name the batch's queries", async () => {
    const { client, asked } = fakePrometheus({ unlabelled: true });
    const answers = await readBatched(client, ["up", "down"], {});
    expect(asked).toHaveLength(3);
    expect(answers).toEqual(
      ["up", "down"].map((query) => ({ query, samples: samplesOf(query), warnings: [] })),
    );
  });

  it("gives every query of a batch the failure of its request, without asking again", async () => {
    const { client, asked } = fakePrometheus({ fail: "operator_query" });
    const answers = await readBatched(client, ["up", "down"], {});
    expect(asked).toHaveLength(1);
    for (const answer of answers) expect((answer as { error: PrometheusError }).error.status).toBe(503);
  });

  it("splits queries over requests at the character limit", async () => {
    const { client, asked } = fakePrometheus();
    const long = (name: string) => `${name}${" ".repeat(MAX_BATCH_CHARS / 2)}`;
    const queries = [long("a"), long("b"), "c"];
    const answers = await readBatched(client, queries, {});
    expect(asked).toHaveLength(2);
    for (const { promql } of asked) expect(promql.length).toBeLessThanOrEqual(MAX_BATCH_CHARS);
    expect(answers.map((answer) => ("query" in answer ? answer.query : undefined))).toEqual(queries);
  });
});

describe("packQueries", () => {
  it("numbers each part within its batch and joins the parts with `or`", () => {
    const batches = packQueries(["a", "b"], (item, index) => `${item}${index}`);
    expect(batches).toEqual([{ query: "a0 or b1", items: ["a", "b"] }]);
  });

  it("starts a new batch at the limit, numbering from 0 again, and keeps an overlong item alone", () => {
    const long = "x".repeat(MAX_BATCH_CHARS);
    const batches = packQueries(["a", long, "b"], (item, index) => `${item}${index}`);
    expect(batches.map((batch) => batch.query)).toEqual(["a0", `${long}0`, "b0"]);
    expect(packQueries([], (item) => item)).toEqual([]);
  });
});
