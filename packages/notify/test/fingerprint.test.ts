import { describe, expect, it } from "vitest";
import { fingerprint } from "../src/index.ts";

/** FNV-1a 64 as Prometheus defines the label set fingerprint, written plainly with BigInt. */
function reference(labels: Record<string, string>): string {
  const prime = 1099511628211n;
  const mask = (1n << 64n) - 1n;
  let hash = 14695981039346656037n;
  for (const name of Object.keys(labels).sort()) {
    for (const part of [name, labels[name] as string]) {
      for (const byte of new TextEncoder().encode(part)) hash = ((hash ^ BigInt(byte)) * prime) & mask;
      hash = ((hash ^ 0xffn) * prime) & mask;
    }
  }
  return hash.toString(16).padStart(16, "0");
}

describe("fingerprint", () => {
  it("is FNV-1a 64 over the sorted names and values, each followed by 0xff", () => {
    expect(fingerprint({})).toBe("cbf29ce484222325");
    const samples: Record<string, string>[] = [
      { alertname: "store_down", subject: "prod-tikv", entity: "store-4", severity: "critical" },
      { b: "2", a: "1" },
      { zone: "café 東京 \u{1f525}", empty: "" },
      { long: "x".repeat(5000) },
    ];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 300; i++) {
      const labels: Record<string, string> = {};
      for (let k = 0; k < 1 + (i % 6); k++) {
        const text = Array.from({ length: i % 30 }, () =>
          String.fromCodePoint(1 + Math.floor(random() * 0x2fff)),
        );
        labels[`label_${k}_${i}`] = text.join("");
      }
      samples.push(labels);
    }
    for (const labels of samples) expect(fingerprint(labels), JSON.stringify(labels)).toBe(reference(labels));
  });
});
