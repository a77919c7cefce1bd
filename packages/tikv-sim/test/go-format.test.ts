import { describe, expect, it } from "vitest";
import { bytesSize, goDuration, goJson, parseBytesSize, rfc3339Nano } from "../src/pd/go-format.ts";

describe("bytesSize (go-units BytesSize, %.4g base 1024)", () => {
  it.each([
    [0, "0B"],
    [1023, "1023B"],
    [1024, "1KiB"],
    [2014 * 1024 ** 3, "1.967TiB"],
    [500 * 1024 ** 3, "500GiB"],
    [292.5 * 1024 ** 2, "292.5MiB"],
    [96.73 * 1024 ** 3, "96.73GiB"],
    [1.5 * 1024 ** 4, "1.5TiB"],
    [1023.99 * 1024 ** 2, "1024MiB"],
  ])("%d bytes -> %s", (bytes, text) => {
    expect(bytesSize(bytes)).toBe(text);
  });

  it("parses its own output back within the 4-digit rounding", () => {
    const bytes = 1_203_060_478_870;
    expect(Math.abs(parseBytesSize(bytesSize(bytes)) - bytes) / bytes).toBeLessThan(0.0005);
    expect(() => parseBytesSize("12 GB")).toThrow(/not a go-units byte size/);
  });
});

describe("goDuration (time.Duration.String)", () => {
  it.each([
    [0n, "0s"],
    [500_000_000n, "500ms"],
    [1_500_000n, "1.5ms"],
    [30n * 60n * 1_000_000_000n, "30m0s"],
    [48n * 3600n * 1_000_000_000n, "48h0m0s"],
    [3600n * 1_000_000_000n, "1h0m0s"],
    [470_896_421_303n, "7m50.896421303s"],
    [9_320_123_456_789n, "2h35m20.123456789s"],
    [-2_000_000_000n, "-2s"],
  ])("%d ns -> %s", (ns, text) => {
    expect(goDuration(ns)).toBe(text);
  });
});

describe("rfc3339Nano (time.Time JSON)", () => {
  it("trims trailing zeros of the fraction and drops an empty one", () => {
    expect(rfc3339Nano(1_679_593_456_896_421_303n)).toBe("2023-03-23T17:44:16.896421303Z");
    expect(rfc3339Nano(1_679_592_986_000_000_000n)).toBe("2023-03-23T17:36:26Z");
    expect(rfc3339Nano(1_679_592_986_120_000_000n)).toBe("2023-03-23T17:36:26.12Z");
  });
});

describe("goJson (encoding/json)", () => {
  const value = {
    count: 2,
    stores: [
      { a: "x", b: [] },
      { c: {}, d: 617.7285926370704, e: true },
    ],
    f: null,
  };

  it("indents like MarshalIndent with two spaces and ends with a newline", () => {
    expect(goJson(value, true)).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });

  it("writes compact output without a trailing newline", () => {
    expect(goJson(value, false)).toBe(JSON.stringify(value));
  });

  it("writes uint64 beyond 2^53 as raw digits and omits undefined keys", () => {
    expect(goJson({ id: 6493707687106161130n, skip: undefined, n: 3 }, false)).toBe(
      '{"id":6493707687106161130,"n":3}',
    );
  });

  it("escapes <, > and & as Go does", () => {
    expect(goJson("a<b>&c", false)).toBe('"a\\u003cb\\u003e\\u0026c"');
  });
});
