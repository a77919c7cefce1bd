import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { pageDir } from "../src/index.ts";

/** The built page (run the workspace build first), as the HTTP server serves it. */
describe.skipIf(!existsSync(join(pageDir, "index.html")))("the built page", () => {
  const html = readFileSync(join(pageDir, "index.html"), "utf8");

  it("has no inline script or style, so the server's strict CSP allows it", () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
  });

  it("loads only its own files: every src and href is a path under /assets/ that exists", () => {
    const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThanOrEqual(3);
    for (const ref of refs) {
      expect(ref).toMatch(/^\/assets\/[a-z0-9.-]+$/);
      expect(existsSync(join(pageDir, ref))).toBe(true);
    }
  });
});
