import { describe, expect, it } from "vitest";
import { escapeJsonText, escapeText } from "../src/escape.ts";
import { redact, registerCredential } from "../src/redact.ts";
import { isSecretOptionName, registerOptionSecrets } from "../src/secrets.ts";

describe("redact", () => {
  it.each([
    ["http://alice:hunter22@prom:9090/api", "http://alice:[redacted]@prom:9090/api"],
    ["admin:pw@10.0.1.1:2379", "admin:[redacted]@10.0.1.1:2379"],
    ["https//admin:pw@host", "https//admin:[redacted]@host"],
    ["https://ghp_tok3n@host/x", "https://[redacted]@host/x"],
    ["GET /api?token=abc123&x=1", "GET /api?token=[redacted]&x=1"],
    ["Authorization: Bearer abc.def-123", "Authorization: [redacted]"],
    ['{"authorization":"Bearer abc123","x":1}', '{"authorization":"[redacted]","x":1}'],
    ["at 03:04:05Z, mail ops@example.com", "at 03:04:05Z, mail ops@example.com"],
  ])("%s", (input, output) => {
    expect(redact(input)).toBe(output);
    expect(redact(output)).toBe(output);
  });

  it("stays fast on long hostile text", () => {
    const text = `${"a:".repeat(50_000)}${"x".repeat(1_000_000)}`;
    expect(redact(text)).toBe(text);
  });

  it("hides a registered credential, its token part and its JSON-escaped form", () => {
    registerCredential('Bearer tok-"quoted"-4242');
    expect(redact('got Bearer tok-"quoted"-4242')).toBe("got [redacted]");
    expect(redact(JSON.stringify({ echo: 'tok-"quoted"-4242' }))).toBe('{"echo":"[redacted]"}');
  });

  it("registers every header value, secret-named option and URL password of any plugin's options", () => {
    registerOptionSecrets({
      name: "edge",
      keyPrefix: "keep-this-visible",
      nested: { headers: { "X-Tenant": "tenant-0042" }, clientSecret: "cs-0043", tokenUrl: "http://t/x" },
      endpoints: ["http://u:pass-0044@h:1"],
    });
    const text = "tenant-0042 cs-0043 pass-0044 keep-this-visible http://t/x";
    expect(redact(text)).toBe("[redacted] [redacted] [redacted] keep-this-visible http://t/x");
  });

  it("knows secret option names by their last word", () => {
    for (const name of [
      "token",
      "bearerToken",
      "api_key",
      "apiKey",
      "password",
      "clientSecret",
      "Authorization",
    ]) {
      expect(isSecretOptionName(name), name).toBe(true);
    }
    for (const name of ["keyFile", "tokenUrl", "keyPrefix", "name", "passwordFile"]) {
      expect(isSecretOptionName(name), name).toBe(false);
    }
  });
});

describe("escaping", () => {
  it("escapeText shows controls, separators and bidi overrides as visible escapes", () => {
    expect(escapeText("a\nb\r\tc\u001b[2J\u0007\u007f\u009b\u2028\u202e")).toBe(
      "a\\nb\\r\\tc\\x1b[2J\\x07\\x7f\\x9b\\u2028\\u202e",
    );
  });

  it("escapeJsonText keeps the JSON value and the whitespace between tokens", () => {
    const value = { s: "x\u001b\u009b\u2028\u202ey" };
    const text = escapeJsonText(JSON.stringify(value, null, 2));
    expect(text).toBe('{\n  "s": "x\\u001b\\u009b\\u2028\\u202ey"\n}');
    expect(JSON.parse(text)).toEqual(value);
  });
});
