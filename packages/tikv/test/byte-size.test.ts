import { describe, expect, it } from "vitest";
import { formatByteSize, parseByteSize } from "../src/byte-size.ts";

describe("parseByteSize", () => {
  it.each([
    ["1.967TiB", 1.967 * 1024 ** 4],
    ["96.73GiB", 96.73 * 1024 ** 3],
    ["292.5MiB", 292.5 * 1024 ** 2],
    ["500GiB", 500 * 1024 ** 3],
    ["1.5TiB", 1.5 * 1024 ** 4],
    ["512KiB", 512 * 1024],
    ["0B", 0],
    ["17B", 17],
    ["1.2e+03GiB", 1200 * 1024 ** 3],
  ])("reads PD's %s in base 1024", (text, bytes) => {
    expect(parseByteSize(text)).toBe(Math.round(bytes));
  });

  it.each([
    "",
    "GiB",
    "1.5TB",
    "1.5 tib",
    "-1GiB",
    "abc",
    "1,5GiB",
    "12",
    "1eB",
    "1constructor",
    "1toString",
  ])("rejects %j", (text) => {
    expect(parseByteSize(text)).toBeUndefined();
  });

  it("round-trips PD's four-significant-digit strings", () => {
    for (const text of ["1.967TiB", "96.73GiB", "292.5MiB", "500GiB", "0B", "1023B", "1KiB"]) {
      expect(formatByteSize(parseByteSize(text) as number)).toBe(text);
    }
  });
});
