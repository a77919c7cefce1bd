import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readFileCapped } from "../src/index.ts";

describe("readFileCapped", () => {
  const dir = mkdtempSync(join(tmpdir(), "operator-capped-"));

  it("returns a file of up to maxBytes whole, and undefined for one byte more", () => {
    const file = join(dir, "secret");
    writeFileSync(file, "abcd");
    expect(readFileCapped(file, 4)?.toString()).toBe("abcd");
    expect(readFileCapped(file, 3)).toBeUndefined();
    writeFileSync(join(dir, "empty"), "");
    expect(readFileCapped(join(dir, "empty"), 4)?.length).toBe(0);
  });

  it("reads no more than maxBytes + 1 of an endless file", () => {
    expect(readFileCapped("/dev/zero", 1024)).toBeUndefined();
  });

  it("throws the file system's error for the caller to name", () => {
    expect(() => readFileCapped(join(dir, "missing"), 4)).toThrow(
      expect.objectContaining({ code: "ENOENT" }),
    );
    expect(() => readFileCapped(dir, 4)).toThrow(expect.objectContaining({ code: "EISDIR" }));
  });
});
