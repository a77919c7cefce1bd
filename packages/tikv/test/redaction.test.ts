import type { IncomingMessage } from "node:http";
import { createRedactor, redactUserinfo, secretsOf } from "@operator/subject-kit";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPdClient } from "../src/pd-client.ts";
import { tikvSubject } from "../src/subject.ts";
import { failure } from "./helpers/failure.ts";
import { compact, fixture } from "./helpers/fixtures.ts";

/** Issue 13, item 13: no configured secret leaves the package in an error, a reason or an observation. */

const API = "/pd/api/v1";
const PD_TOKEN = "pd-bearer-5ecret-token";
const PD_KEY = "pd-api-key-7c1d2e";
const PROM_USER = "grafana";
const PROM_PASSWORD = "prom-pa55word!";
const SECRETS = [
  PD_TOKEN,
  PD_KEY,
  PROM_PASSWORD,
  Buffer.from(`${PROM_USER}:${PROM_PASSWORD}`).toString("base64"),
];

/** Answers like a proxy that echoes the request headers in its error body. */
function echo(status: number) {
  return (request: IncomingMessage) => ({
    status,
    body: JSON.stringify({ error: "unauthorized", headers: request.headers }),
  });
}

let pd: TestServer;
let prom: TestServer;
beforeAll(async () => {
  pd = await startTestServer({
    [`${API}/stores`]: { body: fixture("stores.json") },
    [`${API}/cluster`]: { body: compact(fixture("cluster.json")) },
    [`${API}/regions/check/down-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/miss-peer`]: echo(401),
    [`${API}/regions/check/pending-peer`]: { body: fixture("region-check-empty.json") },
    [`${API}/regions/check/offline-peer`]: { body: fixture("region-check-empty.json") },
  });
  prom = await startTestServer({ "/api/v1/query": echo(401) });
});
afterAll(async () => {
  await pd.close();
  await prom.close();
});

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe("redaction", () => {
  it("a 401 body echoing PD's headers leaves no secret in the error", async () => {
    pd.route(`${API}/stores`, echo(401));
    try {
      const client = createPdClient({
        url: pd.url,
        headers: { authorization: `Bearer ${PD_TOKEN}`, "x-api-key": PD_KEY },
        retries: 0,
      });
      const error = await failure(client.stores());
      expect(error.reason).toBe("auth");
      expect(error.message).toContain("[redacted]");
      expectNoSecret(error.message);
      expectNoSecret(String(error.stack));
      expect(error.cause).toBeUndefined();
    } finally {
      pd.route(`${API}/stores`, { body: fixture("stores.json") });
    }
  });

  it("an invalid 200 body echoing headers leaves no secret in the shape error", async () => {
    pd.route(`${API}/stores`, (request) => ({ body: `not json ${request.headers["x-api-key"]}` }));
    try {
      const client = createPdClient({ url: pd.url, headers: { "x-api-key": PD_KEY }, retries: 0 });
      const error = await failure(client.stores());
      expect(error.reason).toBe("invalid_response");
      expect(error.message).toContain("not json [redacted]");
      expectNoSecret(error.message);
    } finally {
      pd.route(`${API}/stores`, { body: fixture("stores.json") });
    }
  });

  it("the observation and the source reasons of a subject hold no secret", async () => {
    const subject = tikvSubject({
      name: "prod",
      pdUrl: pd.url,
      prometheusUrl: prom.url,
      retries: 0,
      pd: { headers: { authorization: `Bearer ${PD_TOKEN}`, "x-api-key": PD_KEY } },
      prometheus: { basicAuth: { username: PROM_USER, password: PROM_PASSWORD } },
    });
    const observation = await subject.observe({
      signal: new AbortController().signal,
      deadline: Date.now() + 10_000,
    });
    const sources = subject.sources?.(observation) ?? {};
    expect(sources.prometheus).toMatch(
      /^Prometheus request failed with status 401: GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query/,
    );
    expect(sources.pd_region_checks).toContain("PD request failed with status 401");
    const text = JSON.stringify({ observation, sources });
    expect(text).toContain("[redacted]");
    expectNoSecret(text);
  });
});

describe("createRedactor", () => {
  it("replaces header values, bearer tokens and basic-auth credentials", () => {
    const redact = createRedactor(
      secretsOf({
        authorization: `Basic ${Buffer.from("admin:hunter22").toString("base64")}`,
        "x-key": "k-123456",
      }),
    );
    expect(redact("user admin:hunter22 pw hunter22 key k-123456")).toBe(
      "user [redacted] pw [redacted] key [redacted]",
    );
  });

  it("replaces URL userinfo, in well-formed and malformed URLs", () => {
    expect(redactUserinfo("GET http://admin:pw@host:2379/x")).toBe("GET http://[redacted]@host:2379/x");
    expect(redactUserinfo("bad URL https//admin:pw@host")).toBe("bad URL https//[redacted]@host");
    expect(redactUserinfo("admin:pw@host:2379")).toBe("[redacted]@host:2379");
    expect(redactUserinfo('"admin:pw@10.0.0.1:2379"')).toBe('"[redacted]@10.0.0.1:2379"');
  });

  it("leaves values too short to be secrets alone", () => {
    expect(createRedactor(["1"])("status 401")).toBe("status 401");
  });
});
