import { describe, expect, it } from "vitest";
import { storedValues } from "../src/store.ts";

const roundTrip = (values: Record<string, unknown>) => storedValues(values, JSON.stringify(values));

describe("storedValues", () => {
  it("keeps a plain object of strings, booleans, nulls and finite numbers as it is", () => {
    const values = { used: 0.93, store: "4", busy: false, region: null, count: -3 };
    expect(roundTrip(values)).toBe(values);
    const bare = Object.assign(Object.create(null), { n: 1 });
    expect(roundTrip(bare)).toBe(bare);
  });

  it.each([
    ["NaN", { ratio: Number.NaN }, { ratio: null }],
    ["an infinity", { ratio: Number.POSITIVE_INFINITY }, { ratio: null }],
    ["-0", { delta: -0 }, { delta: 0 }],
    ["undefined", { a: 1, b: undefined }, { a: 1 }],
    ["a nested object", { at: { x: 1 } }, { at: { x: 1 } }],
    ["a date", { at: new Date(0) }, { at: "1970-01-01T00:00:00.000Z" }],
  ])("reads back from the JSON a value with %s", (_name, values, stored) => {
    const read = roundTrip(values);
    expect(read).not.toBe(values);
    expect(read).toStrictEqual(stored);
  });

  it("reads back from the JSON an object that is not plain", () => {
    class Reading {
      readonly value = 1;
      toJSON() {
        return { value: 2 };
      }
    }
    expect(roundTrip(new Reading() as never)).toStrictEqual({ value: 2 });
  });
});
