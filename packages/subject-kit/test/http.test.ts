import { getEventListeners } from "node:events";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpClient,
  isRetryableStatus,
  type RequestEvent,
  statusFailure,
  TransportFailure,
} from "../src/index.ts";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function client(retries: number, timeoutMs = 2000, events: RequestEvent[] = []) {
  return createHttpClient({
    source: "pd",
    label: "[operator] [test] PD",
    baseUrl: server.url,
    headers: {},
    timeoutMs,
    retries,
    maxBodyBytes: 1024 * 1024,
    onRequest: (event) => events.push(event),
  });
}

describe("createHttpClient", () => {
  it("retries an attempt that timed out, and reports each attempt", async () => {
    let calls = 0;
    server.route("/flaky", () => {
      calls += 1;
      return calls === 1 ? { body: '"late"', delayMs: 30_000 } : { body: '"ok"' };
    });
    const events: RequestEvent[] = [];
    const response = await client(1, 300, events).get("/flaky");
    expect(response).toEqual({ status: 200, text: '"ok"' });
    expect(events.map((event) => event.attempt)).toEqual([0, 1]);
    expect(events[0]?.endpoint).toBe("/flaky");
  });

  it("passes the call's own onRequest too", async () => {
    server.route("/plain", { body: "1" });
    const seen: RequestEvent[] = [];
    await client(0).get("/plain", undefined, { onRequest: (event) => seen.push(event) });
    expect(seen).toEqual([{ source: "pd", endpoint: "/plain", attempt: 0 }]);
  });

  it("asks for an uncompressed answer unless the configured headers say otherwise", async () => {
    server.route("/encoding", { body: "1" });
    await client(0).get("/encoding");
    expect(server.headers.at(-1)?.["accept-encoding"]).toBe("identity");
    const gzip = createHttpClient({
      source: "pd",
      label: "[operator] [test] PD",
      baseUrl: server.url,
      headers: { "accept-encoding": "gzip" },
    });
    await gzip.get("/encoding");
    expect(server.headers.at(-1)?.["accept-encoding"]).toBe("gzip");
  });

  it("returns the last retryable response once retries are spent", async () => {
    server.route("/busy", { status: 503, body: '"busy"' });
    expect(await client(2).get("/busy")).toEqual({ status: 503, text: '"busy"' });
  });

  it("fails at once with a deadline already past", async () => {
    const failure = await client(3)
      .get("/plain", undefined, { deadline: Date.now() - 1 })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TransportFailure);
    expect(failure).toMatchObject({ reason: "timeout" });
  });

  it("a signal aborted at the cycle's deadline is a timeout, whatever its reason", async () => {
    const controller = new AbortController();
    controller.abort(new Error("cycle deadline passed"));
    const failure = await client(0, 60_000)
      .get("/plain", undefined, { signal: controller.signal, deadline: Date.now() + 10 })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: "timeout" });
  });

  it("an aborted call is not retried", async () => {
    let calls = 0;
    server.route("/slow", () => {
      calls += 1;
      return { body: "1", delayMs: 30_000 };
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("shutdown")), 100);
    const failure = await client(3)
      .get("/slow", undefined, { signal: controller.signal })
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ reason: "aborted" });
    expect(calls).toBe(1);
  });

  it("many calls under one signal: all are cancelled with it, none stays listening, and Node warns of no leak", async () => {
    server.route("/hang", () => ({ body: "1", delayMs: 30_000 }));
    server.route("/quick", () => ({ body: "2" }));
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const context = { signal: controller.signal, deadline: Date.now() + 20_000 };
      const http = client(0, 20_000);
      expect(
        await Promise.all(Array.from({ length: 30 }, () => http.get("/quick", undefined, context))),
      ).toHaveLength(30);
      // Nothing stays registered on the caller's signal once its requests are done.
      expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
      const hanging = Array.from({ length: 30 }, () =>
        http.get("/hang", undefined, context).catch((error: unknown) => error),
      );
      setTimeout(() => controller.abort(new Error("shutdown")), 200);
      const failures = await Promise.all(hanging);
      expect(failures.every((failure) => (failure as { reason?: string }).reason === "aborted")).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });
});

describe("body text", () => {
  it("decodes UTF-8 split across chunks, drops a leading BOM and replaces invalid bytes", async () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('"zoné ✓ '),
      Buffer.from([0xff]),
      Buffer.from('"'),
    ]);
    server.route("/chunked", {
      handle: (response) => {
        response.writeHead(200, { "content-type": "application/json" });
        let at = 0;
        const next = () => {
          if (at >= bytes.length) return void response.end();
          response.write(bytes.subarray(at, at + 1));
          at += 1;
          setTimeout(next, 2);
        };
        next();
      },
    });
    const response = await client(0).get("/chunked");
    expect(response.text).toBe('"zoné ✓ \uFFFD"');
  });
});

describe("transport", () => {
  it.each([
    ["gzip", gzipSync],
    ["x-gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const)(
    "decodes an answer compressed with %s although none was asked for",
    async (coding, compress) => {
      const body = JSON.stringify({ coding, stores: Array.from({ length: 500 }, (_, i) => ({ id: i })) });
      server.route(`/compressed-${coding}`, {
        handle: (response) => {
          response.writeHead(200, { "content-type": "application/json", "content-encoding": coding });
          response.end(compress(Buffer.from(body)));
        },
      });
      expect((await client(0).get(`/compressed-${coding}`)).text).toBe(body);
    },
  );

  it("returns an answer of an unknown coding as it came, and a 204 with no body", async () => {
    server.route("/odd-coding", {
      handle: (response) => {
        response.writeHead(200, { "content-encoding": "zstd-of-the-future" });
        response.end("as it came");
      },
    });
    server.route("/no-content", { handle: (response) => void response.writeHead(204).end() });
    expect(await client(0).get("/odd-coding")).toEqual({ status: 200, text: "as it came" });
    expect(await client(0).get("/no-content")).toEqual({ status: 204, text: "" });
  });

  it("a garbled compressed answer is a failed read, not a body", async () => {
    server.route("/garbled", {
      handle: (response) => {
        response.writeHead(200, { "content-encoding": "gzip" });
        response.end("not gzip at all");
      },
    });
    const failure = await client(0)
      .get("/garbled")
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(failure).toBeInstanceOf(TransportFailure);
    expect((failure as TransportFailure).reason).toBe("unreachable");
  });
});

describe("status classification", () => {
  it.each([
    [401, "auth", false],
    [403, "auth", false],
    [404, "client_error", false],
    [408, "client_error", true],
    [429, "client_error", true],
    [500, "server_error", true],
    [501, "server_error", false],
    [503, "server_error", true],
    [302, "invalid_response", false],
  ])("%i is %s (retryable %s)", (status, reason, retryable) => {
    expect(statusFailure(status)).toEqual({ reason, retryable });
    expect(isRetryableStatus(status)).toBe(retryable);
  });
});
