import { createGzip } from "node:zlib";
import { peakRssGrowth } from "@operator/subject-kit/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import etcd, { type EtcdObservation } from "../src/index.ts";
import { context, resultFor } from "./helpers/evaluate.ts";
import { FAKE_CLUSTER_ID, type FakeMember, startFakeMember } from "./helpers/fake-member.ts";

/**
 * Issue 13, items 1, 2, 9, 13 and 14 for etcd: huge bodies stop at the cap, redirects stay on their
 * origin, secrets never reach an error or the observation, the cluster id is the identity and every
 * secondary source says whether it answered.
 */

const MiB = 1024 * 1024;
const TOKEN = "etcd-proxy-token-9f8e7d";
let member: FakeMember;
let other: FakeMember;

beforeEach(async () => {
  member = await startFakeMember("n1");
  other = await startFakeMember("elsewhere");
});
afterEach(async () => {
  await member.close();
  await other.close();
});

function subject(extra: Record<string, unknown> = {}) {
  return etcd({ name: "prod-etcd", endpoints: [member.url], timeoutMs: 5000, ...extra });
}

describe("hostile answers from an etcd member", () => {
  it("reads the cluster id from the member list as the identity, and reports its sources", async () => {
    const built = subject();
    const observation = await built.observe(context());
    expect(built.identity?.(observation)).toBe(FAKE_CLUSTER_ID);
    expect(built.sources?.(observation)).toEqual({ member_list: null });
    expect(resultFor(built, observation, "member_unreachable", "n1")?.outcome).toBe("ok");
  });

  it("an endless /metrics body stops at the cap and names it", async () => {
    let written = 0;
    let closed = false;
    member.route("/metrics", (_request, response) => {
      response.writeHead(200, { "content-type": "text/plain" });
      response.on("close", () => {
        closed = true;
      });
      const chunk = Buffer.alloc(64 * 1024, "#");
      const pump = () => {
        while (!closed) {
          written += chunk.length;
          if (!response.write(chunk)) return void response.once("drain", pump);
        }
      };
      pump();
    });
    const { result: observation, growth } = await peakRssGrowth(() =>
      subject({ maxBodyBytes: MiB }).observe(context()),
    );
    expect(observation.members[0]?.errors.metrics).toMatch(
      /^\[etcd\] GET http:\/\/127\.0\.0\.1:\d+\/metrics returned an invalid response: the body exceeds the cap of 1 MiB \(stopped reading\)$/,
    );
    await expect.poll(() => closed).toBe(true);
    expect(written).toBeLessThan(64 * MiB);
    expect(growth).toBeLessThan(48 * MiB);
  });

  it("a gzip bomb from Prometheus stops at the cap, and the prometheus source says so", async () => {
    const compressed = await new Promise<Buffer>((resolve) => {
      const gzip = createGzip({ level: 9 });
      const parts: Buffer[] = [];
      gzip.on("data", (part: Buffer) => parts.push(part));
      gzip.on("end", () => resolve(Buffer.concat(parts)));
      const block = Buffer.alloc(MiB, " ");
      for (let i = 0; i < 256; i += 1) gzip.write(block);
      gzip.end();
    });
    other.route("/api/v1/query", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      response.end(compressed);
    });
    const built = subject({ prometheusUrl: other.url, prometheusMaxBodyBytes: MiB });
    const { result: observation, growth } = await peakRssGrowth(() => built.observe(context()));
    expect(compressed.length).toBeLessThan(MiB);
    const reason = built.sources?.(observation).prometheus;
    expect(reason).toMatch(/returned an invalid response: the body exceeds the cap of 1 MiB/);
    expect(growth).toBeLessThan(48 * MiB);
  });

  it("an unreachable Prometheus is a failed source with a one-line reason; empty answers are answers", async () => {
    const dead = await startFakeMember();
    const deadUrl = dead.url;
    await dead.close();
    const failing = subject({ prometheusUrl: deadUrl });
    const failed = await failing.observe(context());
    expect(failing.sources?.(failed).prometheus).toMatch(
      /^\[etcd\] GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/query\?query=.* failed: ECONNREFUSED$/,
    );
    other.route("/api/v1/query", (_request, response) => {
      response.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
    });
    const answering = subject({ prometheusUrl: other.url });
    expect(answering.sources?.(await answering.observe(context())).prometheus).toBeNull();
  });

  it("a member list that cannot be read is a failed member_list source", async () => {
    member.route("/v3/cluster/member/list", (_request, response) => {
      response.writeHead(500);
      response.end("etcdserver: request timed out");
    });
    const built = subject();
    const observation: EtcdObservation = await built.observe(context());
    expect(built.sources?.(observation).member_list).toMatch(
      /^member list could not be read: \[etcd\] POST .* failed with status 500: etcdserver: request timed out$/,
    );
    expect(built.identity?.(observation)).toBe(FAKE_CLUSTER_ID);
  });

  it("a redirect to another origin is not followed, and names the target", async () => {
    member.route("/v3/maintenance/status", (_request, response) => {
      response.writeHead(307, { location: `${other.url}/v3/maintenance/status` });
      response.end();
    });
    const observation = await subject({ headers: { authorization: `Bearer ${TOKEN}` } }).observe(context());
    expect(observation.members[0]?.errors.status).toBe(
      `[etcd] POST ${member.url}/v3/maintenance/status redirected (307) to another origin, ${other.url}/v3/maintenance/status; cross-origin redirects are not followed`,
    );
    expect(other.requests).toEqual([]);
  });

  it("a same-origin redirect is followed with the same headers", async () => {
    member.route("/health", (_request, response) => {
      response.writeHead(307, { location: "/health-moved" });
      response.end();
    });
    member.route("/health-moved", (_request, response) => {
      response.end('{"health":"true"}');
    });
    const observation = await subject({ headers: { authorization: `Bearer ${TOKEN}` } }).observe(context());
    expect(observation.members[0]?.health).toMatchObject({ healthy: true });
    const moved = member.requests.find((request) => request.line === "GET /health-moved");
    expect(moved?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("a 401 body echoing the headers leaves no secret in the errors or the observation", async () => {
    const echo = (
      request: import("node:http").IncomingMessage,
      response: import("node:http").ServerResponse,
    ) => {
      response.writeHead(401, { "content-type": "application/json" });
      response.end(JSON.stringify({ error: "unauthorized", headers: request.headers }));
    };
    for (const path of ["/health", "/metrics", "/v3/maintenance/status", "/v3/maintenance/alarm"]) {
      member.route(path, echo);
    }
    const built = subject({ headers: { authorization: `Bearer ${TOKEN}`, "x-api-key": "etcd-key-123456" } });
    const error = await built.observe(context()).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error?.message).toContain("[redacted]");
    expect(error?.message).not.toContain(TOKEN);
    expect(error?.message).not.toContain("etcd-key-123456");
    expect((error as { cause?: unknown }).cause).toBeUndefined();
    member.route("/health", (_request, response) => response.end('{"health":"true"}'));
    const observation = await built.observe(context());
    const text = JSON.stringify(observation);
    expect(text).toContain("[redacted]");
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain("etcd-key-123456");
  });
});
