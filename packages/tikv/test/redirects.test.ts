import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPdClient } from "../src/pd-client.ts";
import { createPrometheusClient } from "../src/prometheus-client.ts";
import { failure } from "./helpers/failure.ts";
import { fixture } from "./helpers/fixtures.ts";

/** Issue 13, item 14: custom headers never follow a redirect to another origin. */

const API = "/pd/api/v1";
const headers = { "x-api-key": "pd-key-0123456789" };
let pd: TestServer;
let other: TestServer;

beforeAll(async () => {
  other = await startTestServer({
    [`${API}/stores`]: { body: fixture("stores.json") },
    "/api/v1/query": { body: '{"status":"success","data":{"resultType":"vector","result":[]}}' },
  });
  pd = await startTestServer({
    [`${API}/stores`]: { status: 307, headers: { location: `${other.url}${API}/stores?state=0` } },
    [`${API}/moved`]: { body: fixture("stores.json") },
    "/api/v1/query": { status: 302, headers: { location: `${other.url}/api/v1/query?token=abc` } },
  });
});
afterAll(async () => {
  await pd.close();
  await other.close();
});

describe("redirects", () => {
  it("a PD redirect to another origin is not followed: unknown, naming the target", async () => {
    const client = createPdClient({ url: pd.url, headers, retries: 0 });
    const error = await failure(client.stores());
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain(
      `redirected (307) to another origin, ${other.url}${API}/stores; cross-origin redirects are not followed`,
    );
    expect(other.requests).toEqual([]);
  });

  it("a Prometheus redirect to another origin is not followed either", async () => {
    const client = createPrometheusClient({
      url: pd.url,
      headers: { authorization: "Bearer tok-0123456789" },
    });
    const error = await failure(client.query("up"));
    expect(error.reason).toBe("invalid_response");
    expect(error.message).toContain(`redirected (302) to another origin, ${other.url}/api/v1/query;`);
    expect(error.message).not.toContain("token=abc");
    expect(other.requests).toEqual([]);
  });

  it("with several PD members, one that redirects elsewhere is passed over for the next", async () => {
    const client = createPdClient({ url: [pd.url, other.url], headers, retries: 0 });
    expect(await client.stores()).toHaveLength(6);
    expect(other.requests).toEqual([`${API}/stores?state=0&state=1&state=2`]);
    expect(other.headers[0]?.["x-api-key"]).toBe(headers["x-api-key"]);
    other.requests.length = 0;
    other.headers.length = 0;
  });

  it("a same-origin redirect is followed with the same headers", async () => {
    pd.route(`${API}/stores`, { status: 308, headers: { location: `${API}/moved` } });
    const client = createPdClient({ url: pd.url, headers, retries: 0 });
    expect(await client.stores()).toHaveLength(6);
    const moved = pd.requests.indexOf(`${API}/moved`);
    expect(moved).toBeGreaterThan(0);
    expect(pd.headers[moved]?.["x-api-key"]).toBe(headers["x-api-key"]);
  });

  it("a redirect loop on the same origin ends after a few hops", async () => {
    pd.route(`${API}/stores`, { status: 307, headers: { location: `${API}/stores` } });
    const client = createPdClient({ url: pd.url, headers, retries: 0 });
    const error = await failure(client.stores());
    expect(error.message).toContain("more than 5 redirects");
  });
});
