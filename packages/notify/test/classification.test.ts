import { closedPort } from "@operator/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_RETRY_AFTER_MS, webhookNotifier } from "../src/index.ts";
import { answer, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, makeNotification, makeTicket } from "./helpers/tickets.ts";

let receiver: Receiver;
let other: Receiver | undefined;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
  await other?.close();
  other = undefined;
});

const notification = makeNotification(makeTicket());
const deliver = (options: { timeoutMs?: number; maxBodyBytes?: number } = {}, ms = 5000) =>
  webhookNotifier({ url: `${receiver.url}/hook`, ...options }).deliver(notification, context(ms));

describe("answers that are retried", () => {
  it.each([500, 502, 504, 408])("%i is retried, with the status in the reason", async (status) => {
    receiver.handle(answer(status, "upstream trouble"));
    const result = await deliver();
    expect(result).toEqual({
      outcome: "retry",
      reason: `webhook ${receiver.url}/hook answered ${status}: upstream trouble`,
    });
  });

  it("503 with Retry-After in seconds is retried after that long", async () => {
    receiver.handle(answer(503, "", { "retry-after": "7" }));
    expect(await deliver()).toMatchObject({ outcome: "retry", retryAfterMs: 7000 });
  });

  it("429 with Retry-After as an HTTP date is retried at that date; a huge one is capped", async () => {
    receiver.handle(
      answer(429, "slow down", { "retry-after": new Date(Date.now() + 120_000).toUTCString() }),
    );
    const result = await deliver();
    expect(result.outcome).toBe("retry");
    const wait = result.outcome === "retry" ? (result.retryAfterMs ?? 0) : 0;
    expect(wait).toBeGreaterThan(110_000);
    expect(wait).toBeLessThanOrEqual(120_000);
    receiver.handle(answer(429, "", { "retry-after": "99999999" }));
    expect(await deliver()).toMatchObject({ outcome: "retry", retryAfterMs: MAX_RETRY_AFTER_MS });
  });

  it("429 without Retry-After, or with a malformed one, is retried with no wait given", async () => {
    receiver.handle(answer(429, "", { "retry-after": "soon" }));
    const result = await deliver();
    expect(result.outcome).toBe("retry");
    expect(result).not.toHaveProperty("retryAfterMs");
  });

  it("a receiver that never answers is retried after the timeout", async () => {
    receiver.handle(() => undefined);
    const result = await deliver({ timeoutMs: 300 });
    expect(result).toEqual({
      outcome: "retry",
      reason: `webhook ${receiver.url}/hook: no answer within 300 ms`,
    });
  });

  it("the delivery deadline shortens the timeout", async () => {
    receiver.handle(() => undefined);
    const started = Date.now();
    const result = await deliver({ timeoutMs: 30_000 }, 300);
    expect(result.outcome).toBe("retry");
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("an aborted delivery is retried, without waiting for the receiver", async () => {
    receiver.handle(() => undefined);
    const controller = new AbortController();
    const pending = webhookNotifier({ url: receiver.url }).deliver(
      notification,
      context(30_000, controller.signal),
    );
    setTimeout(() => controller.abort(), 100);
    expect(await pending).toMatchObject({ outcome: "retry", reason: expect.stringContaining("aborted") });
  });

  it("a refused connection is retried, naming the error code", async () => {
    const port = await closedPort();
    const result = await webhookNotifier({ url: `http://127.0.0.1:${port}/x` }).deliver(
      notification,
      context(),
    );
    expect(result).toEqual({
      outcome: "retry",
      reason: `webhook http://127.0.0.1:${port}/x: connection failed (ECONNREFUSED)`,
    });
  });
});

describe("answers that fail for good", () => {
  it.each([400, 401, 403, 404, 410, 422])("%i is failed for good", async (status) => {
    receiver.handle(answer(status, '{"error":"bad"}'));
    expect(await deliver()).toEqual({
      outcome: "failed",
      reason: `webhook ${receiver.url}/hook answered ${status}: {"error":"bad"}`,
    });
  });

  it("the answer's excerpt is short and escaped (control characters, newlines)", async () => {
    receiver.handle(answer(400, `line one\nline\ttwo \u001b[31mred\u001b[0m ${"x".repeat(1000)}`));
    const result = await deliver();
    expect(result.outcome).toBe("failed");
    const reason = result.outcome === "failed" ? result.reason : "";
    expect(reason).toContain("line one line two \\x1b[31mred\\x1b[0m");
    expect(reason).not.toContain("\u001b");
    expect(reason).not.toContain("\n");
    expect(reason.length).toBeLessThan(400);
  });

  it("a redirect to another origin is not followed and fails for good", async () => {
    other = await startReceiver();
    receiver.handle(answer(307, "", { location: `${other.url}/steal` }));
    const result = await deliver();
    expect(result).toEqual({
      outcome: "failed",
      reason: `webhook ${receiver.url}/hook answered 307: a redirect to another origin (${other.url}), not followed`,
    });
    expect(other.requests).toHaveLength(0);
  });

  it("a same-origin 307 is followed with the same method, body and headers", async () => {
    receiver.handle((request, response) => {
      if (request.path === "/hook") response.writeHead(307, { location: "/moved" }).end();
      else response.writeHead(200).end();
    });
    expect(
      await webhookNotifier({ url: `${receiver.url}/hook`, secret: "abcdefgh" }).deliver(
        notification,
        context(),
      ),
    ).toEqual({
      outcome: "delivered",
    });
    expect(receiver.requests.map((request) => [request.method, request.path])).toEqual([
      ["POST", "/hook"],
      ["POST", "/moved"],
    ]);
    expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
    expect(receiver.requests[1]?.headers["x-operator-signature"]).toBe(
      receiver.requests[0]?.headers["x-operator-signature"],
    );
  });

  it("a 302 (which would turn the POST into a GET) is not followed", async () => {
    receiver.handle(answer(302, "", { location: "/elsewhere" }));
    expect(await deliver()).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining("POST into a GET"),
    });
  });
});

describe("answer bodies", () => {
  it("an oversized answer is cut at the cap and the status still decides", async () => {
    const huge = "y".repeat(4 * 1024 * 1024);
    receiver.handle(answer(200, huge));
    expect(await deliver({ maxBodyBytes: 1024 })).toEqual({ outcome: "delivered" });
    receiver.handle(answer(500, huge));
    const result = await deliver({ maxBodyBytes: 1024 });
    expect(result).toMatchObject({
      outcome: "retry",
      reason: expect.stringContaining("(answer cut at 1024 bytes)"),
    });
  });

  it("an endless streamed answer stops at the cap", async () => {
    receiver.handle((_request, response) => {
      response.writeHead(400, { "content-type": "text/plain" });
      const timer = setInterval(() => response.write("z".repeat(16 * 1024)), 1);
      response.on("close", () => clearInterval(timer));
    });
    const result = await deliver({ maxBodyBytes: 4096, timeoutMs: 10_000 });
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining("answer cut at 4096 bytes"),
    });
  });
});
