import { afterEach, beforeEach, describe, expect, it } from "vitest";
import etcd from "../src/index.ts";
import { context } from "./helpers/evaluate.ts";
import { type FakeMember, startFakeMember } from "./helpers/fake-member.ts";

/** Reads of etcd members go through the subject kit: GETs retried on transient failures, within the deadline. */

let member: FakeMember;
beforeEach(async () => {
  member = await startFakeMember("n1");
});
afterEach(async () => {
  await member.close();
});

describe("etcd reads", () => {
  it("a /metrics answering 503 once is retried and read", async () => {
    const healthy = await (await fetch(`${member.url}/metrics`)).text();
    let calls = 0;
    member.route("/metrics", (_request, response) => {
      calls += 1;
      response.writeHead(calls === 1 ? 503 : 200);
      response.end(calls === 1 ? "busy" : healthy);
    });
    const observation = await etcd({ name: "x", endpoints: [member.url] }).observe(context());
    expect(calls).toBe(2);
    expect(observation.members[0]?.errors.metrics).toBeUndefined();
  });

  it("with retries: 0 the same 503 is a failed read", async () => {
    member.route("/metrics", (_request, response) => {
      response.writeHead(503);
      response.end("busy");
    });
    const observation = await etcd({ name: "x", endpoints: [member.url], retries: 0 }).observe(context());
    expect(observation.members[0]?.errors.metrics).toMatch(/GET .*\/metrics failed with status 503: busy$/);
  });

  it("a member that never answers ends the observation by the cycle's deadline, as a timeout", async () => {
    for (const path of ["/health", "/metrics", "/v3/maintenance/status", "/v3/maintenance/alarm"]) {
      member.route(path, () => undefined);
    }
    const started = Date.now();
    const error = await etcd({ name: "x", endpoints: [member.url], timeoutMs: 60_000 })
      .observe(context(1500))
      .then(
        () => undefined,
        (caught: unknown) => caught as { reason?: string; message: string },
      );
    expect(error?.reason).toBe("timeout");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
