import { describe, expect, it } from "vitest";
import { parseJson, parseJsonExact } from "../src/json.ts";

/**
 * Issue 18: parseJson parses with JSON.parse and treats long integers apart; its result must be the
 * exact parser's, integers beyond 2^53 as exact bigints, on every text.
 */

const CLUSTER_ID = "6493707687106161130";
const HEARTBEAT = "1679593456896421303";

describe("parseJson", () => {
  it("keeps uint64 ids and nanosecond timestamps exact, as PD writes them", () => {
    const text = `{
  "id": ${CLUSTER_ID},
  "max_peer_count": 3,
  "stores": [{"store": {"id": 18446744073709551615, "last_heartbeat": ${HEARTBEAT}, "labels": []}}]
}`;
    const value = parseJson(text) as {
      id: unknown;
      max_peer_count: unknown;
      stores: Array<{ store: { id: unknown; last_heartbeat: unknown } }>;
    };
    expect(value.id).toBe(BigInt(CLUSTER_ID));
    expect(value.max_peer_count).toBe(3);
    expect(value.stores[0]?.store.id).toBe(18446744073709551615n);
    expect(value.stores[0]?.store.last_heartbeat).toBe(BigInt(HEARTBEAT));
    expect(value).toEqual(parseJsonExact(text));
  });

  it.each([
    ["2^53 - 1, the largest safe integer, stays a number", `{"a":9007199254740991}`],
    ["2^53 becomes a bigint", `{"a":9007199254740992}`],
    ["a 16-digit safe integer stays a number", `{"a":1000000000000000}`],
    ["a negative long integer", `{"a":-9223372036854775808}`],
    ["a long integer in an array", `{"a":[1,12345678901234567890,3]}`],
    ["a long integer at the top level", `12345678901234567890`],
    ["a long integer after an escaped key", `{"k\\"ey":12345678901234567890}`],
    ["a key written with spaces around the colon", `{"a" :  12345678901234567890 }`],
    ["long digits inside strings only", `{"key":"7480000000000000FF5F72","n":"12345678901234567890"}`],
    [
      "a colon and long digits inside a string",
      `{"s":"at: 12345678901234567890","t":"\\": 12345678901234567890"}`,
    ],
    ["a string value before a colon", `["x", ":12345678901234567890"]`],
    [
      "a string that looks like a member",
      `{"s":"x\\",\\"id\\":12345678901234567890","id":12345678901234567891}`,
    ],
    ["a long float stays a number", `{"a":12345678901234567890.5,"b":1.2345678901234567e300}`],
    [
      "long fractions, as Prometheus writes samples",
      `[1796171889.5529034,"0.14285714285714285",0.12345678901234567890123]`,
    ],
    ["a long exponent", `{"a":1.5e12345678901234567,"b":-2E-12345678901234567}`],
    ["an exponent integer stays a number", `{"a":1e20,"id":12345678901234567890}`],
    ["a NUL escape in the text", `{"s":"\\u0000123","id":12345678901234567890}`],
    ["a __proto__ member with a long integer", `{"__proto__":12345678901234567890,"b":{"__proto__":1}}`],
    ["nested members and arrays", `[{"a":[{"b":12345678901234567890}]},{"c":{"d":-12345678901234567890}}]`],
    ["numbers of every other kind", `{"a":0,"b":-0,"c":1.5,"d":-2e-7,"e":[true,false,null,"x"]}`],
  ])("%s: the same value as the exact parser", (_name, text) => {
    const value = parseJson(text);
    expect(value).toEqual(parseJsonExact(text));
    expect(_types(value)).toEqual(_types(parseJsonExact(text)));
  });

  it("agrees with the exact parser on generated bodies full of long integers and look-alike strings", () => {
    let seed = 18;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const digits = (n: number): string =>
      `${1 + random(9)}${Array.from({ length: n - 1 }, () => random(10)).join("")}`;
    const leaf = (): string =>
      [
        () => digits(1 + random(22)),
        () => `-${digits(16 + random(4))}`,
        () => `${digits(17)}.${digits(2)}`,
        () => JSON.stringify(`x":${digits(18)},"y`),
        () => JSON.stringify(`${digits(20)}`),
        () => JSON.stringify(`\\":${digits(19)}`),
        () => "null",
      ][random(7)]?.() ?? "0";
    const value = (depth: number): string => {
      if (depth > 3 || random(3) === 0) return leaf();
      const items = Array.from({ length: random(5) }, () => value(depth + 1));
      if (random(2) === 0) return `[${items.join(", ")}]`;
      return `{${items.map((item, i) => `${JSON.stringify(`k${i}${random(2) ? '"' : ""}`)}:\n  ${item}`).join(",")}}`;
    };
    for (let i = 0; i < 500; i += 1) {
      const text = value(0);
      expect(_types(parseJson(text)), text).toEqual(_types(parseJsonExact(text)));
      expect(parseJson(text), text).toEqual(parseJsonExact(text));
    }
  });

  it("never turns a string into an integer", () => {
    const value = parseJson(`{"s":"\\u000012345678901234567890","id":12345678901234567890}`) as {
      s: unknown;
      id: unknown;
    };
    expect(value.s).toBe("\u000012345678901234567890");
    expect(value.id).toBe(12345678901234567890n);
  });

  it("keeps a __proto__ member an own property, the prototype untouched", () => {
    const value = parseJson(`{"__proto__":12345678901234567890}`) as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value, "__proto__")?.value).toBe(12345678901234567890n);
  });

  it.each([
    ["garbage", "not json"],
    ["a truncated body", `{"id":12345678901234567890,"stores":[`],
    ["a trailing comma", `{"id":12345678901234567890,}`],
    ["a missing value", `{"id":}`],
    ["an unterminated string", `{"id":"12345678901234567890}`],
    ["trailing data", `{"id":1} x`],
    ["an empty body", ""],
  ])("refuses %s with the exact parser's SyntaxError", (_name, text) => {
    expect(() => parseJson(text)).toThrow(SyntaxError);
    let expected = "";
    try {
      parseJsonExact(text);
    } catch (error) {
      expected = (error as Error).message;
    }
    expect(() => parseJson(text)).toThrow(expected);
  });

  it("takes the last of duplicate keys, as JSON.parse and PD's Go decoder do", () => {
    expect(parseJson(`{"a":1,"a":2}`)).toEqual({ a: 2 });
    expect(parseJson(`{"id":12345678901234567890,"id":12345678901234567891}`)).toEqual({
      id: 12345678901234567891n,
    });
  });
});

/** The type of every leaf, to tell `1` from `1n`. */
function _types(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(_types);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, _types(item)]));
  }
  return typeof value;
}
