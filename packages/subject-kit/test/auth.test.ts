import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@operator/core";
import { startTestServer, type TestServer } from "@operator/subject-kit/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkBaseUrl, createHttpClient, HttpRequestError, resolveAuth, urlProblem } from "../src/index.ts";

const PREFIX = "[operator] [test]";
const TOKEN = "bearer-5ecret-token-42";
let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "kit-auth-"));
  server = await startTestServer();
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await server.close();
});

function configError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveAuth", () => {
  it("builds Bearer and Basic headers from plain values, $env and $file", () => {
    const file = join(dir, "password");
    writeFileSync(file, "pa55word\n");
    expect(resolveAuth({ bearerToken: { $env: "TOKEN_VAR" } }, "pd", PREFIX, { TOKEN_VAR: TOKEN })).toEqual({
      authorization: `Bearer ${TOKEN}`,
    });
    expect(resolveAuth({ basicAuth: { username: "u", password: { $file: file } } }, "", PREFIX)).toEqual({
      authorization: `Basic ${Buffer.from("u:pa55word").toString("base64")}`,
    });
    expect(resolveAuth({ headers: { "X-Scope-OrgID": "blue" } }, "pd", PREFIX)).toEqual({
      "X-Scope-OrgID": "blue",
    });
  });

  it.each([
    [
      { bearerToken: "a", basicAuth: { username: "u", password: "p" } },
      /`pd\.bearerToken` and `pd\.basicAuth` exclude each other/,
    ],
    [{ bearerToken: "abcd", headers: { Authorization: "x" } }, /`pd\.headers` sets Authorization as well/],
    [
      { bearerToken: { $env: "UNSET_VAR_FOR_TEST" } },
      /`pd\.bearerToken`: environment variable UNSET_VAR_FOR_TEST is not set/,
    ],
    [
      { bearerToken: { $file: "/nonexistent/token" } },
      /`pd\.bearerToken`: cannot read \/nonexistent\/token \(ENOENT\)/,
    ],
    [{ headers: { "x-key": "a\r\nInjected: 1" } }, /`pd\.headers\.x-key` must not contain a line break/],
  ])("refuses %j with one message naming the option", (auth, message) => {
    expect(configError(() => resolveAuth(auth, "pd", PREFIX, {}))).toMatch(message);
  });

  it("a token echoed back in a 401 body never appears in the typed error", async () => {
    server.route("/secure", (request) => ({
      status: 401,
      body: JSON.stringify({ denied: request.headers }),
    }));
    const client = createHttpClient({
      source: "api",
      label: `${PREFIX} API`,
      baseUrl: server.url,
      headers: resolveAuth({ bearerToken: TOKEN }, "api", PREFIX),
    });
    const error = await client.text("GET", "/secure").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect(error).toMatchObject({ reason: "auth", status: 401, endpoint: "/secure" });
    expect((error as Error).message).toMatch(
      /^\[operator\] \[test\] API request failed with status 401: GET http:\/\/127\.0\.0\.1:\d+\/secure/,
    );
    expect((error as Error).message).toContain("[redacted]");
    expect((error as Error).message).not.toContain(TOKEN);
  });
});

describe("URL options", () => {
  it.each([
    ["not a url", /Option `pdUrl` is not a valid URL "not a url"/],
    ["ftp://a:2379", /must be an http:\/\/ or https:\/\/ URL/],
    ["http://admin:hunter2@a:2379", /must not contain credentials; use `pd\.headers`/],
    ["http://a:2379/?x=1", /must not have a query string or fragment/],
    ["admin:hunter2@a:2379", /must be an http/],
  ])("%s is refused without echoing credentials", (value, message) => {
    const problem = urlProblem(value, "pdUrl", "`pd.headers`");
    expect(problem).toMatch(message);
    expect(problem).not.toContain("hunter2");
  });

  it("checkBaseUrl trims trailing slashes and throws a ConfigError with the prefix", () => {
    expect(checkBaseUrl("https://prom:9090/prometheus/", "url", PREFIX)).toBe("https://prom:9090/prometheus");
    expect(configError(() => checkBaseUrl(3, "url", PREFIX))).toBe(
      `${PREFIX} Option \`url\` must be a URL string`,
    );
  });
});

describe("methods", () => {
  it("a POST is sent once, never retried, even on 503", async () => {
    let calls = 0;
    server.route("/write", () => {
      calls += 1;
      return { status: 503, body: '"busy"' };
    });
    const client = createHttpClient({ source: "api", label: "x", baseUrl: server.url, retries: 3 });
    expect(await client.post("/write", { a: 1 })).toEqual({ status: 503, text: '"busy"' });
    expect(calls).toBe(1);
  });

  it("getJson validates the body and names the field of a wrong shape", async () => {
    const { z } = await import("zod");
    server.route("/doc", { body: '{"items":[{"id":1},{"id":"two"}]}' });
    const client = createHttpClient({ source: "api", label: `${PREFIX} API`, baseUrl: server.url });
    const schema = z.object({ items: z.array(z.object({ id: z.number() })) });
    const error = await client.getJson("/doc", schema).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      reason: "invalid_response",
      field: "items[1].id",
      endpoint: "/doc",
      source: "api",
    });
    server.route("/doc", { body: '{"items":[{"id":1}]}' });
    expect(await client.getJson("/doc", schema)).toEqual({ items: [{ id: 1 }] });
  });
});
