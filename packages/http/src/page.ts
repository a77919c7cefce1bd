import { readFile, realpath } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import type { Hono } from "hono";
import { problem, problemResponse } from "./problem.ts";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".txt": "text/plain; charset=utf-8",
};

/**
 * Serves the page: `dir/index.html` at `/` (and `/index.html`), files under `dir/assets/` at
 * `/assets/*`. Only files of the types above, only inside `dir` (no `..`, no symbolic link out), never
 * a directory listing; everything else is a 404 problem.
 */
export function servePage(app: Hono, dir: string): void {
  const root = resolve(dir);
  const send = async (relative: string, cache: string): Promise<Response> => {
    const type = TYPES[extname(relative).toLowerCase()];
    const notFound = problemResponse(problem(404, "No such page file"));
    if (type === undefined) return notFound;
    try {
      const real = await realpath(join(root, relative));
      const realRoot = await realpath(root);
      if (real !== realRoot && !real.startsWith(realRoot + sep)) return notFound;
      const body = await readFile(real);
      return new Response(body, { status: 200, headers: { "content-type": type, "cache-control": cache } });
    } catch {
      return notFound;
    }
  };
  const index = () => send("index.html", "no-cache");
  app.get("/", index);
  app.get("/index.html", index);
  app.get("/assets/*", (c) => {
    const rest = c.req.path.slice("/assets/".length);
    let decoded: string;
    try {
      decoded = decodeURIComponent(rest);
    } catch {
      return problemResponse(problem(404, "No such page file"));
    }
    if (
      decoded === "" ||
      decoded.split(/[\\/]/).some((part) => part === ".." || part === "." || part === "")
    ) {
      return problemResponse(problem(404, "No such page file"));
    }
    return send(join("assets", decoded), "no-cache");
  });
}
