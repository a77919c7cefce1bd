import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pageDir } from "@operator/web";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.ts";
import { pageOption } from "../src/page.ts";
import { type CliProcess, startCli } from "./helpers/cli.ts";
import { waitFor } from "./helpers/net.ts";

let dir: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-web-page-"));
});
afterEach(() => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("pageOption", () => {
  it("serves the built page of @operator/web", async () => {
    const lines: string[] = [];
    expect(await pageOption(createLogger("text", { write: (l: string) => lines.push(l) }, Date.now))).toEqual(
      {
        dir: pageDir,
      },
    );
    expect(lines).toEqual([]);
  });

  it("without built assets serves the API alone and says how to build the page", async () => {
    const lines: string[] = [];
    const logger = createLogger("text", { write: (l: string) => lines.push(l) }, Date.now);
    expect(await pageOption(logger, dir)).toBeUndefined();
    expect(lines.join("")).toMatch(
      /The web page is not built .*serving the API without it; run the workspace build/,
    );
  });
});

describe("operator monitor --demo and the page", () => {
  it("prints the page's URL, serves the page there, and its API shows the demo's store-down ticket", async () => {
    const proc = startCli(["monitor", "--demo", "--interval", "500ms", "--db", join(dir, "demo.db")]);
    running.push(proc);
    const announced = await proc.waitForLine(
      /Demo: the web page is at http:\/\/127\.0\.0\.1:\d+\/ /,
      120_000,
    );
    const url = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(announced)?.[1] as string;
    await proc.waitForLine(
      new RegExp(`Monitor loop started: .*; page on ${url.replaceAll(".", "\\.")}`),
      120_000,
    );

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<script type="module" src="\/assets\/app\.js"><\/script>/);
    const script = await fetch(new URL("/assets/app.js", url));
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);

    const ticket = await waitFor(
      async () => {
        const response = await fetch(new URL("/api/v1/tickets?status=all", url));
        const body = (await response.json()) as { tickets: { key: string; severity: string }[] };
        return body.tickets.find((t) => t.key === "demo/store_down/2");
      },
      120_000,
      "the demo's store_down ticket through the API",
    );
    expect(["warning", "critical"]).toContain(ticket.severity);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }, 240_000);
});
