import { readFileSync } from "node:fs";

/** The text of a file in test/fixtures, byte for byte. */
export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
}

/** The same JSON without insignificant whitespace (big integers untouched). */
export function compact(json: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < json.length; i += 1) {
    const char = json[i] as string;
    if (inString) {
      out += char;
      if (char === "\\") out += json[++i] ?? "";
      else if (char === '"') inString = false;
    } else if (char === '"') {
      inString = true;
      out += char;
    } else if (!/\s/.test(char)) {
      out += char;
    }
  }
  return out;
}
