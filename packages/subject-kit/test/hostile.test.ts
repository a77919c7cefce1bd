import { gzipBomb, startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHttpClient, RefusedAnswer } from "../src/index.ts";

/** Answers a client must refuse: bodies over the cap (compressed or not) and redirects elsewhere. */

const MiB = 1024 * 1024;
let server: TestServer;
let other: TestServer;
let bomb: Buffer;

beforeAll(async () => {
  bomb = await gzipBomb(64);
  server = await startTestServer();
  other = await startTestServer({ "/target": { body: '"elsewhere"' } });
});
afterAll(async () => {
  await server.close();
  await other.close();
});

function client() {
  return createHttpClient({
    source: "api",
    label: "x",
    baseUrl: server.url,
    headers: { "x-api-key": "key-0123456789" },
    maxBodyBytes: MiB,
  });
}

async function refused(promise: Promise<unknown>): Promise<RefusedAnswer> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RefusedAnswer);
  return error as RefusedAnswer;
}

describe("hostile answers", () => {
  it("a gzip bomb stops at the cap, counted after decompression", async () => {
    expect(bomb.length).toBeLessThan(MiB);
    server.route("/bomb", {
      handle: (response) => {
        response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
        response.end(bomb);
      },
    });
    const error = await refused(client().get("/bomb"));
    expect(error).toMatchObject({ kind: "body_too_large", reason: "invalid_response" });
    expect(error.detail).toBe("the body exceeds the cap of 1 MiB (stopped reading)");
  });

  it("an announced body over the cap is refused unread", async () => {
    server.route("/big", {
      handle: (response) => {
        response.writeHead(200, { "content-length": String(2 * MiB) });
        response.end(Buffer.alloc(2 * MiB, 32));
      },
    });
    expect((await refused(client().get("/big"))).detail).toBe(
      "the body exceeds the cap of 1 MiB (announced 2 MiB)",
    );
  });

  it("a redirect to another origin is refused and its target never asked", async () => {
    server.route("/moved", { status: 302, headers: { location: `${other.url}/target?token=abc` } });
    const error = await refused(client().get("/moved"));
    expect(error.kind).toBe("cross_origin_redirect");
    expect(error.detail).toBe(
      `redirected (302) to another origin, ${other.url}/target; cross-origin redirects are not followed`,
    );
    expect(other.requests).toEqual([]);
  });

  it("a same-origin redirect is followed with the same headers", async () => {
    server.route("/old", { status: 307, headers: { location: "/new" } });
    server.route("/new", { body: '"here"' });
    expect(await client().get("/old")).toEqual({ status: 200, text: '"here"' });
    expect(server.headers.at(-1)?.["x-api-key"]).toBe("key-0123456789");
  });
});
