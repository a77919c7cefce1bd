import {
  checkShape,
  type ElementSchema,
  MAX_DEPTH,
  PIECE_CHARS,
  parseJsonSliced,
} from "@operator/subject-kit";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { decodeSliced, parseJson } from "../src/json.ts";
import { storeInfo, storesResponse } from "../src/pd-schemas.ts";
import { STORE_ELEMENT } from "../src/pd-store-check.ts";
import { fixture } from "./helpers/fixtures.ts";

/** Issue 13, item 9: large bodies are parsed in slices, with the same result as one `parse`. */

/** A `/stores` body with `count` copies of the fixture's first store (indented, as PD writes it). */
function bigStores(count: number): string {
  const body = JSON.parse(
    fixture("stores.json").replace(/"last_heartbeat": (\d+)/, '"last_heartbeat": "$1"'),
  );
  const first = body.stores[0];
  const stores = Array.from({ length: count }, (_, i) => ({
    ...first,
    store: { ...first.store, id: i + 1 },
  }));
  return JSON.stringify({ count, stores }, null, 2).replace(
    /"last_heartbeat": "(\d+)"/g,
    '"last_heartbeat": $1',
  );
}

/** Decodes a `/stores` body as the PD client does, `element` checking each store. */
function decodeStores(text: string, element: ElementSchema = STORE_ELEMENT) {
  return decodeSliced(storesResponse, text, "pd", "/pd/api/v1/stores", { input: ["stores"], element });
}

async function counted(text: string): Promise<{ value: unknown; yields: number }> {
  let yields = 0;
  const value = await parseJsonSliced(text, async () => {
    yields += 1;
    await new Promise((resolve) => setImmediate(resolve));
  });
  return { value, yields };
}

describe("parseJsonSliced", () => {
  it("parses a large PD body exactly like parseJson, big integers included", async () => {
    const text = bigStores(2000);
    expect(text.length).toBeGreaterThan(2 * PIECE_CHARS);
    const { value } = await counted(text);
    expect(value).toEqual(parseJson(text));
    const stores = (value as { stores: Array<{ store: { last_heartbeat: unknown } }> }).stores;
    expect(stores).toHaveLength(2000);
    expect(stores[1999]?.store.last_heartbeat).toBe(1679593456896421303n);
  });

  it("builds large members of objects and large nested arrays, keeping key order", async () => {
    const big = Array.from({ length: 30_000 }, (_, i) => ({ i, s: `v${i}` }));
    const list = JSON.stringify(big);
    const text = `{"a":1,"big":${list},"__proto__":${list},"nested":[[${list}],"tail"],"z":"end"}`;
    const { value: parsed } = await counted(text);
    expect(parsed).toEqual(parseJson(text));
    expect(Object.keys(parsed as object)).toEqual(["a", "big", "__proto__", "nested", "z"]);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it("lets the event loop run while it works on a large body", async () => {
    const { yields } = await counted(bigStores(20_000));
    expect(yields).toBeGreaterThan(0);
  });

  it.each([
    ["trailing data", (big: string) => `${big} {}`],
    ["a missing value", (big: string) => `[${big},,1]`],
    ["a trailing comma", (big: string) => `[${big},]`],
    ["a mismatched bracket", (big: string) => `[${big}}`],
    ["two values in one item", (big: string) => `[${big} ${big}]`],
    ["data before a value", (big: string) => `[1 ${big}]`],
    ["an object member without a key", (big: string) => `{${big}}`],
    ["an unterminated body", (big: string) => `[${big}`],
  ])("refuses %s", async (_name, build) => {
    const big = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => i));
    await expect(parseJsonSliced(build(big))).rejects.toThrow(SyntaxError);
  });

  it.each([
    [
      "an item closing at another depth",
      (big: string) => big.replace("\n    },\n    {", "\n    }\n    ,\n    {"),
    ],
    [
      "an inner object indented as an item",
      (big: string) => big.replace('"labels": [', '"labels": [\n    {"key": "k", "value": "v"\n    },'),
    ],
    [
      "a body without line breaks",
      (big: string) => JSON.stringify(JSON.parse(big.replace(/: (\d{16,})/g, ': "$1"'))),
    ],
  ])("parses a large body with %s exactly like parseJson", async (_name, edit) => {
    const text = edit(bigStores(2000));
    expect(text).not.toBe(bigStores(2000));
    expect((await counted(text)).value).toEqual(parseJson(text));
  });

  it.each([
    [
      "a trailing comma after the last store",
      (big: string) => big.replace(/\n {4}\}\n {2}\]/, "\n    },\n  ]"),
    ],
    ["a value between stores", (big: string) => big.replace("\n    },\n    {", "\n    }, 1 1,\n    {")],
    [
      "a store cut short",
      (big: string) => big.replace('\n    },\n    {\n      "store"', '\n    },\n    {\n      "store": {'),
    ],
    ["an extra bracket after the stores", (big: string) => big.replace(/\n {2}\]/, "\n  ]]")],
    [
      "a long string in a store",
      (big: string) => big.replace('"version": "8.5.0"', `"version": "${"x".repeat(2 * PIECE_CHARS)}"`),
    ],
  ])("refuses a large pretty-printed body with %s", async (_name, edit) => {
    const text = edit(bigStores(2000));
    expect(text).not.toBe(bigStores(2000));
    await expect(parseJsonSliced(text)).rejects.toThrow(SyntaxError);
  });

  it("refuses nesting deeper than the limit, long strings and long tokens", async () => {
    const padding = " ".repeat(PIECE_CHARS);
    await expect(
      parseJsonSliced(`${"[".repeat(MAX_DEPTH + 1)}${padding}${"]".repeat(MAX_DEPTH + 1)}`),
    ).rejects.toThrow(/nested deeper/);
    await expect(parseJsonSliced(`["${"x".repeat(2 * 1024 * 1024)}"]`)).rejects.toThrow(/String longer/);
    await expect(parseJsonSliced(`[${"1".repeat(PIECE_CHARS + 1)}]`)).rejects.toThrow(/Token longer/);
  });
});

describe("decodeSliced", () => {
  it("validates a long list element by element and names the offending field", async () => {
    const text = bigStores(1000).replace('"id": 700,', '"id": "seven hundred",');
    await expect(decodeStores(text, storeInfo)).rejects.toThrow("at `stores[699].store.id`");
  });

  it("checks the list while parsing it, with the result of one check of the whole body", async () => {
    const text = bigStores(1000);
    expect(text.length).toBeGreaterThan(PIECE_CHARS);
    const decoded = await decodeStores(text);
    expect(decoded).toEqual(checkShape(storesResponse, parseJson(text), "PD", "/pd/api/v1/stores"));
    expect(decoded.stores.map((store) => store.id)).toEqual(
      Array.from({ length: 1000 }, (_, i) => String(i + 1)),
    );
  });

  it("names a wrong field outside the list before a wrong element, as a check after parsing does", async () => {
    const text = bigStores(1000)
      .replace('"id": 700,', '"id": "seven hundred",')
      .replace('"count": 1000', '"count": "many"');
    await expect(decodeStores(text)).rejects.toThrow("at `count`");
  });

  it("reads the body as it is when the list the parser cuts is not the one to check", async () => {
    const schema = z.object({ stores: z.array(z.unknown()), ids: z.array(z.number()) });
    const body = JSON.parse(bigStores(1000)) as { stores: unknown[] };
    const text = JSON.stringify({ stores: body.stores, ids: [1, 2, 3] }, null, 2);
    expect(text.length).toBeGreaterThan(PIECE_CHARS);
    const decoded = await decodeSliced(schema, text, "pd", "/x", { input: ["ids"], element: z.number() });
    expect(decoded).toEqual(parseJson(text));
    expect(decoded.ids).toEqual([1, 2, 3]);
  });
});
