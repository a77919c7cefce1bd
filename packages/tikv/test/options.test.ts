import { inspect } from "node:util";
import { ConfigError, isOperatorError } from "@operator/core";
import { describe, expect, it } from "vitest";
import { resolveOptions } from "../src/options.ts";

const base = { name: "prod-tikv", pdUrl: "http://127.0.0.1:2379" };

function errorOf(input: unknown): ConfigError {
  try {
    resolveOptions(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect(isOperatorError(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("resolveOptions", () => {
  it("fills in the documented defaults", () => {
    const options = resolveOptions(base);
    expect(options).toMatchObject({
      name: "prod-tikv",
      pdUrls: ["http://127.0.0.1:2379"],
      prometheusUrl: undefined,
      timeoutMs: 5000,
      retries: 1,
      rateWindow: "1m",
      leaderDropWindow: "30s",
      pdMaxBodyBytes: 32 * 1024 * 1024,
      prometheusMaxBodyBytes: 32 * 1024 * 1024,
    });
  });

  it("takes a body cap per source", () => {
    const options = resolveOptions({
      ...base,
      pd: { maxBodyBytes: 2048 },
      prometheus: { maxBodyBytes: 4096 },
    });
    expect(options).toMatchObject({ pdMaxBodyBytes: 2048, prometheusMaxBodyBytes: 4096 });
  });

  it("normalises URLs: trailing slashes and an explicit /pd/api/v1 are dropped", () => {
    const options = resolveOptions({
      ...base,
      pdUrl: "https://pd.example:2379/pd/api/v1/",
      prometheusUrl: "http://prom.example/prometheus/",
    });
    expect(options.pdUrls).toEqual(["https://pd.example:2379"]);
    expect(options.prometheusUrl).toBe("http://prom.example/prometheus");
  });

  it("accepts several PD members", () => {
    const options = resolveOptions({ ...base, pdUrl: ["http://pd-1:2379/", "https://pd-2:2379/pd/api/v1"] });
    expect(options.pdUrls).toEqual(["http://pd-1:2379", "https://pd-2:2379"]);
  });

  it("names a missing required option", () => {
    expect(errorOf({ name: "x" }).message).toBe("[operator] [tikv] Missing required option `pdUrl`");
    expect(errorOf({ pdUrl: base.pdUrl }).message).toBe("[operator] [tikv] Missing required option `name`");
  });

  it("rejects something that is not an options object", () => {
    expect(errorOf(undefined).message).toMatch(/Options must be an object/);
    expect(errorOf("http://pd").message).toMatch(/Options must be an object/);
  });

  it.each([
    [{ pdUrl: "not a url" }, /Option `pdUrl` is not a valid URL "not a url"/],
    [{ pdUrl: "ftp://pd:2379" }, /Option `pdUrl` must be an http:\/\/ or https:\/\/ URL/],
    [{ pdUrl: 2379 }, /Invalid option `pdUrl`/],
    [{ prometheusUrl: "tcp://prom:9090" }, /Option `prometheusUrl` must be an http/],
    [{ pdUrl: "http://pd:2379/?x=1" }, /must not have a query string/],
    [{ pdUrl: [] }, /Invalid option `pdUrl`: expected at least one URL/],
    [
      { pdUrl: ["http://pd-1:2379", "pd-2:2379"] },
      /Option `pdUrl\[1\]` must be an http:\/\/ or https:\/\/ URL/,
    ],
    [{ pdUrl: ["http://pd-1:2379", 7] }, /Invalid option `pdUrl.1`: expected string, received number/],
    [{ timeoutMs: -1 }, /Invalid option `timeoutMs`: expected a whole number of milliseconds/],
    [{ timeoutMs: "5s" }, /Invalid option `timeoutMs`/],
    [{ retries: 1.5 }, /Invalid option `retries`: expected a whole number between 0 and 10/],
    [{ rateWindow: "1 minute" }, /Invalid option `rateWindow`: expected a PromQL duration/],
    [{ timeout: 5000 }, /Options have no setting `timeout`/],
    [{ prometheus: { token: "x" } }, /Option `prometheus` has no setting `token`/],
    [
      { prometheus: { basicAuth: { username: "u" } } },
      /Missing required option `prometheus.basicAuth.password`/,
    ],
    [{ pdUrl: 2379 }, /Invalid option `pdUrl`: expected a URL or a list of URLs/],
    [{ name: "bad/name" }, /Invalid subject name "bad\/name"/],
    [{ invariants: { store_down: 3 } }, /Invalid option `invariants.store_down`/],
    [
      { pd: { maxBodyBytes: 10 } },
      /Invalid option `pd.maxBodyBytes`: expected a whole number of bytes between 1024 and 1073741824/,
    ],
    [
      { prometheus: { maxBodyBytes: "32MiB" } },
      /Invalid option `prometheus.maxBodyBytes`: expected a whole number of bytes between 1024 and 1073741824/,
    ],
  ])("rejects %j with a message naming the option", (patch, message) => {
    expect(errorOf({ ...base, ...patch }).message).toMatch(message);
  });

  it("never echoes credentials written into a URL", () => {
    const error = errorOf({ ...base, prometheusUrl: "http://admin:hunter2@prom:9090" });
    expect(error.message).toMatch(/must not contain credentials; use `prometheus.basicAuth`/);
    expect(error.message).not.toContain("hunter2");
  });

  it.each(["admin:hunter2@pd:2379", "https//admin:hunter2@pd", "http//admin:hunter2@pd:2379"])(
    "never echoes credentials of a malformed URL (%s)",
    (pdUrl) => {
      const error = errorOf({ ...base, pdUrl });
      expect(error.message).toMatch(/Option `pdUrl`/);
      expect(error.message).not.toContain("hunter2");
    },
  );

  it("turns bearerToken and basicAuth into an Authorization header", () => {
    const bearer = resolveOptions({ ...base, prometheus: { bearerToken: "s3cret" } });
    expect(bearer.prometheusHeaders.authorization).toBe("Bearer s3cret");
    const basic = resolveOptions({ ...base, prometheus: { basicAuth: { username: "u", password: "p" } } });
    expect(basic.prometheusHeaders.authorization).toBe(`Basic ${Buffer.from("u:p").toString("base64")}`);
  });

  it("refuses two sources of credentials", () => {
    expect(
      errorOf({ ...base, prometheus: { bearerToken: "a", basicAuth: { username: "u", password: "p" } } })
        .message,
    ).toMatch(/exclude each other/);
    expect(
      errorOf({ ...base, prometheus: { bearerToken: "a", headers: { Authorization: "Bearer b" } } }).message,
    ).toMatch(/sets Authorization as well/);
  });

  it("keeps secrets out of JSON, toString and inspect", () => {
    const options = resolveOptions({
      ...base,
      prometheusUrl: "http://prom:9090",
      prometheus: { bearerToken: "tok-123", headers: { "X-Scope-OrgID": "tenant-secret" } },
      pd: { headers: { "X-Api-Key": "pd-key-456" } },
    });
    for (const text of [JSON.stringify(options), String(options), inspect(options, { depth: 5 })]) {
      expect(text).toContain("prometheusUrl");
      for (const secret of ["tok-123", "tenant-secret", "pd-key-456", "Bearer"])
        expect(text).not.toContain(secret);
    }
  });
});
