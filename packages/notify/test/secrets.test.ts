import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import type { Notifier } from "@operator/core";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { alertmanagerNotifier, pagerDutyNotifier, slackNotifier, webhookNotifier } from "../src/index.ts";
import { type Handler, type Receiver, startReceiver } from "./helpers/receiver.ts";
import { context, makeNotification, makeTicket } from "./helpers/tickets.ts";

let receiver: Receiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(async () => {
  await receiver.close();
});

/** Answers with the request's credentials echoed back: a hostile receiver quoting secrets. */
const echo =
  (status: number): Handler =>
  (request, response) => {
    const routingKey = request.body.startsWith("{") ? JSON.parse(request.body).routing_key : undefined;
    const quoted = [request.path, request.headers.authorization, request.headers["x-api-key"], routingKey];
    response.writeHead(status).end(quoted.filter((part) => part !== undefined).join(" "));
  };

const SECRETS = {
  token: "bearer-SECRET-1111",
  hmac: "hmac-SECRET-2222",
  header: "header-SECRET-3333",
  query: "query-SECRET-4444",
  password: "pass-SECRET-5555",
  slackPath: "T0000/B0000/slack-SECRET-6666",
  routingKey: "routing-SECRET-7777-0123456789abcd",
};

function channels(): Notifier[] {
  const host = receiver.url.replace("http://", "");
  return [
    webhookNotifier({
      url: `http://user:${SECRETS.password}@${host}/hook?token=${SECRETS.query}`,
      secret: SECRETS.hmac,
      bearerToken: SECRETS.token,
      headers: { "X-Api-Key": SECRETS.header },
    }),
    alertmanagerNotifier({ url: `http://am:${SECRETS.password}@${host}`, bearerToken: SECRETS.token }),
    slackNotifier({ url: `${receiver.url}/services/${SECRETS.slackPath}` }),
    pagerDutyNotifier({ routingKey: SECRETS.routingKey, url: `${receiver.url}/v2/enqueue` }),
  ];
}

function expectNoSecret(text: string): void {
  for (const secret of Object.values(SECRETS)) {
    expect(text).not.toContain(secret);
    for (const part of secret.split("/")) expect(text).not.toContain(part);
  }
}

describe("secrets never leave in reasons", () => {
  it.each([400, 500])(
    "a receiver echoing the request with %i sees its secrets redacted from the reason",
    async (status) => {
      receiver.handle(echo(status));
      for (const notifier of channels()) {
        const result = await notifier.deliver(makeNotification(makeTicket(), {}, notifier.name), context());
        expect(result.outcome).toBe(status === 400 ? "failed" : "retry");
        const reason = result.outcome === "delivered" ? "" : result.reason;
        expect(reason).toContain("[redacted]");
        expectNoSecret(reason);
      }
    },
  );

  it("connection errors name no secret either", async () => {
    await receiver.close();
    for (const notifier of channels()) {
      const result = await notifier.deliver(makeNotification(makeTicket(), {}, notifier.name), context());
      expect(result.outcome).toBe("retry");
      expectNoSecret(result.outcome === "retry" ? result.reason : "");
    }
    receiver = await startReceiver();
  });

  it("a notifier's JSON, inspection and string forms hold no secret", () => {
    for (const notifier of channels()) {
      expectNoSecret(JSON.stringify(notifier));
      expectNoSecret(inspect(notifier, { depth: 10, showHidden: true }));
      expectNoSecret(String(notifier));
    }
  });
});

describe("secrets from files", () => {
  const dir = mkdtempSync(join(tmpdir(), "notify-secrets-"));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it("reads secretFile, bearerTokenFile and urlFile (one trailing newline dropped)", async () => {
    const notifier = webhookNotifier({
      urlFile: file("url", `${receiver.url}/from-file\n`),
      secretFile: file("secret", "file-secret-value\n"),
      bearerTokenFile: file("token", "file-token-value\n"),
    });
    expect(await notifier.deliver(makeNotification(makeTicket()), context())).toEqual({
      outcome: "delivered",
    });
    const request = receiver.requests[0];
    expect(request?.path).toBe("/from-file");
    expect(request?.headers.authorization).toBe("Bearer file-token-value");
    expect(request?.headers["x-operator-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
  });

  it("a URL from a file is shown by its origin only: its path is the credential", async () => {
    receiver.handle(echo(404));
    const notifier = webhookNotifier({
      urlFile: file("hook-url", `${receiver.url}/hooks/abc-SECRET-path\n`),
    });
    const result = await notifier.deliver(makeNotification(makeTicket()), context());
    expect(result).toMatchObject({
      outcome: "failed",
      reason: expect.stringContaining(`webhook ${receiver.url}/[redacted] answered 404`),
    });
    expect(result.outcome === "failed" ? result.reason : "").not.toContain("abc-SECRET-path");
  });

  it("the route's first path segment is not mistaken for a secret", async () => {
    receiver.handle(echo(400));
    const notifier = webhookNotifier({
      urlFile: file("route-url", `${receiver.url}/webhook/tok-0123456789\n`),
    });
    const result = await notifier.deliver(makeNotification(makeTicket()), context());
    expect(result).toEqual({
      outcome: "failed",
      reason: `webhook ${receiver.url}/[redacted] answered 400: [redacted]`,
    });
  });

  it("reads routingKeyFile for PagerDuty and a Slack urlFile", async () => {
    const pagerduty = pagerDutyNotifier({
      routingKeyFile: file("rk", "rk-from-file-000\n"),
      url: receiver.url,
    });
    await pagerduty.deliver(makeNotification(makeTicket()), context());
    expect(JSON.parse(receiver.requests[0]?.body ?? "").routing_key).toBe("rk-from-file-000");
    const slack = slackNotifier({ urlFile: file("slack", `${receiver.url}/services/T/B/X\n`) });
    await slack.deliver(makeNotification(makeTicket()), context());
    expect(receiver.requests[1]?.path).toBe("/services/T/B/X");
  });
});

describe("credentials in a URL", () => {
  it("are sent as Basic auth, with the userinfo removed from the request", async () => {
    const host = receiver.url.replace("http://", "");
    const notifier = alertmanagerNotifier({ url: `http://am%40ops:p%3Ass-word@${host}/` });
    expect(await notifier.deliver(makeNotification(makeTicket(), {}, "alertmanager"), context())).toEqual({
      outcome: "delivered",
    });
    const request = receiver.requests[0];
    expect(request?.path).toBe("/api/v2/alerts");
    expect(request?.headers.authorization).toBe(
      `Basic ${Buffer.from("am@ops:p:ss-word").toString("base64")}`,
    );
  });
});
