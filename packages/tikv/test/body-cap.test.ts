import {
  gzipBomb,
  peakRssGrowth,
  type StreamStats,
  startTestServer,
  streamRepeated,
  type TestServer,
} from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPdClient } from "../src/pd-client.ts";
import { createPrometheusClient } from "../src/prometheus-client.ts";
import { tikvSubject } from "../src/subject.ts";
import { failure } from "./helpers/failure.ts";
import { compact, fixture } from "./helpers/fixtures.ts";

/** Issue 13, item 9: a huge body must end in a clear unknown at the cap, never in memory growth. */

const API = "/pd/api/v1";
const MiB = 1024 * 1024;
const CAP = 1 * MiB;
let server: TestServer;
let bomb: Buffer;

beforeAll(async () => {
  bomb = await gzipBomb(512);
  server = await startTestServer({
    [`${API}/cluster`]: { body: compact(fixture("cluster.json")) },
    [`${API}/regions/check/down-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/miss-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/pending-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/offline-peer`]: { body: fixture("region-check-empty.json") },
  });
}, 60_000);
afterAll(() => server.close());

describe("response bodies are read up to a cap", () => {
  it("an endless body stops at the cap: the observation is unknown and names the cap", async () => {
    const stats: StreamStats = { written: 0, closed: false };
    server.route(`${API}/stores`, {
      handle: (response) => {
        response.writeHead(200, { "content-type": "application/json" });
        streamRepeated(response, Buffer.alloc(64 * 1024, " "), Number.POSITIVE_INFINITY, stats);
      },
    });
    const subject = tikvSubject({ name: "prod", pdUrl: server.url, retries: 0, pd: { maxBodyBytes: CAP } });
    const { result: error, growth } = await peakRssGrowth(() =>
      failure(subject.observe({ signal: new AbortController().signal, deadline: Date.now() + 20_000 })),
    );
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain("GET http://127.0.0.1:");
    expect(error.message).toContain("the body exceeds the cap of 1 MiB");
    await expect.poll(() => stats.closed).toBe(true);
    expect(stats.written).toBeLessThan(64 * MiB);
    expect(growth).toBeLessThan(48 * MiB);
  });

  it("a body announced larger than the cap is refused before it is read", async () => {
    const stats: StreamStats = { written: 0, closed: false };
    const total = 100 * MiB;
    server.route(`${API}/stores`, {
      handle: (response) => {
        response.writeHead(200, { "content-type": "application/json", "content-length": String(total) });
        streamRepeated(response, Buffer.alloc(64 * 1024, " "), total, stats);
      },
    });
    const pd = createPdClient({ url: server.url, retries: 0, maxBodyBytes: CAP });
    const error = await failure(pd.stores());
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain("the body exceeds the cap of 1 MiB (announced 100 MiB)");
    await expect.poll(() => stats.closed).toBe(true);
    expect(stats.written).toBeLessThan(total);
  });

  it("a gzip bomb stops at the cap: decompressed bytes count", async () => {
    server.route("/api/v1/query", {
      handle: (response) => {
        response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        response.end(bomb);
      },
    });
    const prometheus = createPrometheusClient({ url: server.url, retries: 0, maxBodyBytes: CAP });
    const { result: error, growth } = await peakRssGrowth(() => failure(prometheus.query("up")));
    expect(bomb.length).toBeLessThan(CAP);
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain("Prometheus request returned an invalid response");
    expect(error.message).toContain("the body exceeds the cap of 1 MiB");
    expect(growth).toBeLessThan(48 * MiB);
  });

  it("a body within the cap is read whole", async () => {
    server.route(`${API}/stores`, { body: fixture("stores.json") });
    const pd = createPdClient({ url: server.url, retries: 0, maxBodyBytes: CAP });
    expect(await pd.stores()).toHaveLength(6);
  });
});
