import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CHROMIUM_PATH,
  type ConsoleProblem,
  chromiumAvailable,
  type Environment,
  isUnresolved,
  type ListedTicket,
  type MonitorRun,
  OPERATOR_BIN,
  openRecordedPage,
  type RecordedPage,
  runCleanups,
  showTicket,
  startEnvironment,
  ticketAction,
  trackChild,
  waitFor,
} from "../src/index.ts";

/** The token the daemon accepts (from its tokens file, under the name `oncall`). */
const TOKEN = "page-test-7f3a9c2e41b8d605";
/** How long the page gets to show what the database already says. */
const UI_TIMEOUT_MS = 20_000;
/** The word the page shows for each severity. */
const SEVERITY_LABEL: Readonly<Record<string, string>> = {
  critical: "Critical",
  warning: "Warning",
  info: "Info",
};
/** Where the screenshot for README.md goes. */
const SCREENSHOT = fileURLToPath(new URL("../../../docs/images/page.png", import.meta.url));
/** A ticket action's URL: the only requests allowed to answer 401 in this test. */
const ACTION_URL = /\/api\/v1\/tickets\/\d+\/(ack|diagnose|resolve|hold|unhold)$/;

/**
 * The web page in a real Chromium against the real daemon (`operator monitor --listen`), a simulated
 * cluster and a real Prometheus. The scenarios run in order on one daemon and one open page, as an
 * on-call person would use it: the page is opened once and never reloaded.
 */
describe("the web page in a real Chromium", () => {
  let env: Environment;
  let run: MonitorRun;
  let origin: string;
  let browser: RecordedPage;
  let page: Page;
  let listReads = 0;
  /** The `Last-Event-ID` header of each request for the event stream (null when it had none). */
  const streamStarts: (string | null)[] = [];
  /** Console errors the test provoked on purpose by stopping the daemon. */
  const provoked = new Set<ConsoleProblem>();
  let tokensFile: string;

  beforeAll(async () => {
    if (!chromiumAvailable())
      throw new Error(
        `Chromium is not installed at ${CHROMIUM_PATH}: ./dev test installs it (apt-get install chromium)`,
      );
    env = await startEnvironment({ stores: 3 });
    tokensFile = join(env.dir, "api-tokens");
    await writeFile(tokensFile, `oncall:${TOKEN}\n`, { mode: 0o600 });
    run = await env.startMonitor({
      subject: "page",
      // A fixed port, so that the page can reconnect to the same address after a restart.
      extraArgs: ["--listen", `127.0.0.1:${await freePort()}`, "--api-tokens-file", tokensFile],
    });
    origin = await listenOrigin(run);
    browser = await openRecordedPage({ width: 1280, height: 860 });
    page = browser.page;
    page.on("request", (request) => {
      const path = new URL(request.url()).pathname;
      if (request.method() === "GET" && path === "/api/v1/tickets") listReads++;
      if (path === "/api/v1/events") streamStarts.push(request.headers()["last-event-id"] ?? null);
    });
  });
  afterAll(async () => {
    await browser?.close();
    await runCleanups();
  });

  it("lists the ticket of a simulated store-down, with its severity, on a page opened before it", async () => {
    await page.goto(`${origin}/`);
    await expectVisible(page.locator(".live-live"), "the live indicator");
    await expectVisible(page.getByText("No tickets match"), "the empty list");
    await waitFor(async () => (await page.locator(".monitor .subject-name").textContent()) === "page", {
      timeoutMs: UI_TIMEOUT_MS,
      description: "the monitor's state naming the subject",
    });
    // The page reads the list once more when its live feed first connects; wait until it is done.
    const readsBefore = await settled(() => listReads);

    await env.cluster.stopStore(2);
    const ticket = await run.waitForTicket(
      (t) => t.key === "page/store_down/2" && isUnresolved(t),
      "a store_down ticket for store 2",
    );
    const row = rowOf(page, ticket);
    await expectVisible(row, `ticket #${ticket.id} in the list`);
    expect(await row.locator(".ticket-key").textContent()).toBe("page/store_down/2");
    // A disconnected store is a warning until PD declares it down; the page shows what the database says.
    expect(await row.locator(".severity").textContent()).toBe(SEVERITY_LABEL[ticket.severity]);
    expect(await row.locator(".ticket-message").textContent()).toBe(ticket.message);
    // It came over the live feed: the list was not read again and the page did not reload.
    expect(listReads).toBe(readsBefore);
    expect(await page.evaluate<number>('performance.getEntriesByType("navigation").length')).toBe(1);
  });

  it("acknowledges from the page: asks for the token once, says clearly when it is wrong, and the database changes", async () => {
    const ticket = await run.waitForTicket(
      (t) => t.key === "page/store_down/2" && isUnresolved(t),
      "the ticket",
    );
    // By keyboard: Enter on the row opens the ticket, Tab reaches every action, Enter opens its
    // confirmation, Escape cancels it.
    await rowOf(page, ticket).locator(".ticket-link").focus();
    await page.keyboard.press("Enter");
    await expectText(page.locator("#ticket-heading"), `#${ticket.id} page/store_down/2`);
    // Focus moves to the ticket with it, in the same step: the first Tab starts from its heading.
    expect(await focusedElement(page)).toBe(`H2:#${ticket.id} page/store_down/2`);
    const reached: string[] = [];
    for (let i = 0; i < 8 && !reached.includes("BUTTON:Hold"); i++) {
      await page.keyboard.press("Tab");
      reached.push(await focusedElement(page));
    }
    expect(reached).toEqual(
      expect.arrayContaining(["BUTTON:Acknowledge", "BUTTON:Diagnose…", "BUTTON:Resolve", "BUTTON:Hold"]),
    );
    expect(await page.evaluate<string>("getComputedStyle(document.activeElement).outlineStyle")).toBe(
      "solid",
    );
    await page.locator(".ticket-view .actions").getByRole("button", { name: "Acknowledge" }).focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog");
    await expectVisible(dialog, "the confirmation");
    expect(await page.evaluate<boolean>('document.activeElement?.closest("dialog") !== null')).toBe(true);
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    expect((await showTicket(run.dbPath, ticket.id)).status).toBe("open");

    await page.locator(".ticket-view .actions").getByRole("button", { name: "Acknowledge" }).click();
    await dialog.getByLabel("Your name (optional)").fill("ann");
    await dialog.getByLabel("Comment (optional)").fill("looking at tikv-2");
    await dialog.getByRole("button", { name: "Acknowledge", exact: true }).click();

    // No token yet: the server answers 401 and the dialog asks for one.
    const tokenField = dialog.getByLabel("API token");
    await expectVisible(tokenField, "the token field");
    await tokenField.fill("not-the-token");
    await dialog.getByRole("button", { name: "Save token and acknowledge" }).click();
    await expectVisible(dialog.getByRole("alert"), "the wrong-token message");
    expect(await dialog.getByRole("alert").textContent()).toMatch(
      /server refused this token \(401 Unauthorized\)/,
    );
    expect((await showTicket(run.dbPath, ticket.id)).status).toBe("open");
    expect(await page.evaluate<string | null>('sessionStorage.getItem("operator.apiToken")')).toBeNull();

    await tokenField.fill(TOKEN);
    await dialog.getByRole("button", { name: "Save token and acknowledge" }).click();
    await dialog.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    const shown = await showTicket(run.dbPath, ticket.id);
    expect(shown).toMatchObject({ status: "acknowledged", acknowledgedBy: "ann" });
    expect(shown.events.at(-1)).toMatchObject({
      kind: "acknowledged",
      actor: "ann",
      comment: "looking at tikv-2",
    });
    await expectText(page.locator(".ticket-view .status"), "Acknowledged");
    await expectText(rowOf(page, ticket).locator(".status"), "Acknowledged");
    expect(await page.evaluate<string | null>('sessionStorage.getItem("operator.apiToken")')).toBe(TOKEN);
  });

  it("diagnoses, holds, unholds and resolves from the page, each confirmed, with no second token prompt", async () => {
    const ticket = await openTicket(page, run, "page/store_down/2");
    await act(page, "Diagnose", async (dialog) => {
      await dialog.getByLabel("Diagnosis (required)").fill("tikv-server on tikv-2 was stopped");
    });
    expect((await showTicket(run.dbPath, ticket.id)).diagnosis).toBe("tikv-server on tikv-2 was stopped");
    await expectText(page.locator(".ticket-view .diagnosis p"), "tikv-server on tikv-2 was stopped");
    await page.screenshot({ path: await screenshotPath(), fullPage: true });

    await act(page, "Hold");
    expect((await showTicket(run.dbPath, ticket.id)).held).toBe(true);
    await expectVisible(rowOf(page, ticket).locator(".flag-held"), "the Held badge in the list");
    await expectVisible(page.locator(".ticket-view .flag-held"), "the Held badge on the ticket");

    await act(page, "Unhold");
    expect((await showTicket(run.dbPath, ticket.id)).held).toBe(false);
    await rowOf(page, ticket).locator(".flag-held").waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });

    await act(page, "Resolve");
    const resolved = await showTicket(run.dbPath, ticket.id);
    // The name given at the first action is remembered in this browser.
    expect(resolved).toMatchObject({ status: "resolved", resolvedBy: "ann" });
    expect(resolved.events.map((e) => e.kind)).toEqual([
      "opened",
      "acknowledged",
      "diagnosed",
      "held",
      "unheld",
      "resolved",
    ]);
    await expectText(page.locator(".ticket-view .status"), "Resolved");
    // The list shows unresolved tickets: the resolved one leaves it.
    await rowOf(page, ticket).waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
  });

  it("shows the daemon's new ticket for the still-down store, and its resolve, without a reload", async () => {
    const readsBefore = listReads;
    const reopened = await run.waitForTicket(
      (t) => t.key === "page/store_down/2" && isUnresolved(t),
      "a new store_down ticket after the manual resolve",
    );
    const row = rowOf(page, reopened);
    await expectVisible(row, `the new ticket #${reopened.id}`);
    expect(await row.locator(".status").textContent()).toBe("Open");

    await env.cluster.startStore(2);
    await run.waitForTicket(
      (t) => t.id === reopened.id && t.status === "resolved",
      "the new ticket to resolve",
    );
    await row.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
    expect(listReads).toBe(readsBefore);
    expect(await page.evaluate<number>('performance.getEntriesByType("navigation").length')).toBe(1);
  });

  it("reconnects after the daemon restarts and resumes with Last-Event-ID: a change made meanwhile arrives", async () => {
    await env.cluster.stopStore(3);
    const ticket = await run.waitForTicket(
      (t) => t.key === "page/store_down/3" && isUnresolved(t),
      "a store_down ticket for store 3",
    );
    const row = rowOf(page, ticket);
    await expectVisible(row, `ticket #${ticket.id}`);
    const errorsBefore = browser.errors.length;
    const startsBefore = streamStarts.length;

    await run.stop();
    await ticketAction(run.dbPath, "ack", ticket.id, [
      "--by",
      "bob",
      "--comment",
      "while the daemon was down",
    ]);
    await run.restart();
    // The page retries with growing pauses (2 s, 4 s, 8 s...) while the daemon starts again.
    await expectText(row.locator(".status"), "Acknowledged", 60_000);
    await expectVisible(page.locator(".live-live"), "the live indicator after the restart");
    const resumed = streamStarts.slice(startsBefore);
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed.every((id) => id !== null && /^\d+$/.test(id))).toBe(true);
    // While the daemon was down the browser logged its refused connections; those alone.
    for (const error of browser.errors.slice(errorsBefore)) {
      expect(error.url).toMatch(/\/api\/v1\//);
      expect(error.text).toMatch(/net::ERR_/);
      provoked.add(error);
    }
    await env.cluster.startStore(3);
    await run.waitForTicket(
      (t) => t.id === ticket.id && t.status === "resolved",
      "store 3's ticket to resolve",
    );
    await row.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
  });

  it("fits a phone's width (375 px) without horizontal scrolling, list and ticket view alike", async () => {
    await page.setViewportSize({ width: 375, height: 812 });
    await page.goto(`${origin}/?status=all`);
    await expectVisible(page.locator(".ticket-row").first(), "the list at phone width");
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await page.locator(".ticket-link").first().click();
    await expectVisible(page.locator(".ticket-view"), "the ticket view at phone width");
    expect(await page.locator(".ticket-list").isVisible()).toBe(false);
    expect(await scrollWidth(page)).toBeLessThanOrEqual(375);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it("made no request outside its own origin and logged no console error", async () => {
    expect(browser.requests.length).toBeGreaterThan(5);
    expect(browser.requests.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
    // The only errors allowed are the browser's own lines for the two 401 answers the token test
    // provoked, and its refused connections while the reconnect test had the daemon stopped.
    const own = browser.errors.filter((e) => !provoked.has(e));
    const unexpected = own.filter((e) => !(/status of 401/.test(e.text) && ACTION_URL.test(e.url)));
    expect(unexpected).toEqual([]);
    expect(own.length).toBe(2);
  });

  it("with --api-auth all (operator serve on the same database) asks for the token before showing tickets and refuses a wrong one clearly", async () => {
    const serve = startServe([
      "serve",
      "--db",
      run.dbPath,
      "--listen",
      "127.0.0.1:0",
      "--api-auth",
      "all",
      "--api-tokens-file",
      tokensFile,
    ]);
    const reader = await openRecordedPage({ width: 1280, height: 860, colorScheme: "dark" });
    try {
      const served = await serve.origin;
      await reader.page.goto(`${served}/?status=all`);
      const panel = reader.page.getByRole("region", { name: "This server needs a token to show tickets" });
      await expectVisible(panel, "the token form for reads");
      expect(await reader.page.locator(".ticket-row").count()).toBe(0);

      await panel.getByLabel("API token").fill("wrong-token-0000");
      await panel.getByRole("button", { name: "Save token" }).click();
      await expectVisible(panel.getByRole("alert"), "the wrong-token message");
      expect(await panel.getByRole("alert").textContent()).toMatch(
        /server refused this token \(401 Unauthorized\)/,
      );
      expect(await reader.page.locator(".ticket-row").count()).toBe(0);

      await panel.getByLabel("API token").fill(TOKEN);
      await panel.getByRole("button", { name: "Save token" }).click();
      await expectVisible(reader.page.locator(".ticket-row").first(), "the tickets once the token is given");
      await expectVisible(reader.page.locator(".live-live"), "live updates with the token");
      expect(await panel.count()).toBe(0);
      expect(reader.requests.filter((url) => !url.startsWith(`${served}/`))).toEqual([]);
      // The browser logs each 401 answer (before the token, and to the wrong one); nothing else.
      expect(reader.errors.filter((e) => !/status of 401/.test(e.text))).toEqual([]);
    } finally {
      await reader.close();
      await serve.stop();
    }
  });
});

// --- Internal helpers ---

/** A TCP port of 127.0.0.1 that is free now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address !== null ? address.port : 0));
    });
  });
}

/** `operator serve ...` as a child process: its origin (from its start-up line) and a way to stop it. */
function startServe(args: readonly string[]): { origin: Promise<string>; stop(): Promise<void> } {
  const child = spawn(process.execPath, [OPERATOR_BIN, ...args], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  trackChild(child);
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const lines: string[] = [];
  const origin = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`operator serve printed no address:\n${lines.join("\n")}`)),
      30_000,
    );
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (line) => {
      lines.push(line);
      const match = /Serving the HTTP API on (https?:\/\/127\.0\.0\.1:\d+)\//.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    void exited.then(() => reject(new Error(`operator serve exited:\n${lines.join("\n")}`)));
  });
  return {
    origin,
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** The value of `read` once it has stayed the same for two seconds. */
async function settled(read: () => number): Promise<number> {
  let last = read();
  let since = Date.now();
  await waitFor(
    () => {
      const now = read();
      if (now !== last) {
        last = now;
        since = Date.now();
      }
      return Date.now() - since >= 2000;
    },
    { timeoutMs: UI_TIMEOUT_MS, intervalMs: 100, description: "the page to stop reading the list" },
  );
  return last;
}

/** The address the daemon listens on, from its start-up line. */
async function listenOrigin(run: MonitorRun): Promise<string> {
  const line = await run.process.waitForLine(/https?:\/\/127\.0\.0\.1:\d+/);
  const match = /https?:\/\/127\.0\.0\.1:\d+/.exec(line.text);
  if (!match) throw new Error(`no address in ${line.text}`);
  return match[0];
}

function rowOf(page: Page, ticket: ListedTicket): Locator {
  return page.locator(`.ticket-row[data-ticket-id="${ticket.id}"]`);
}

async function expectVisible(locator: Locator, what: string): Promise<void> {
  try {
    await locator.waitFor({ state: "visible", timeout: UI_TIMEOUT_MS });
  } catch (error) {
    throw new Error(`The page did not show ${what}: ${(error as Error).message}`);
  }
}

async function expectText(locator: Locator, text: string, timeoutMs = UI_TIMEOUT_MS): Promise<void> {
  await waitFor(async () => (await locator.textContent())?.trim() === text, {
    timeoutMs,
    description: `"${text}" in ${locator}`,
  });
}

/** Opens the unresolved ticket of `key` from the list by clicking its row. */
async function openTicket(page: Page, run: MonitorRun, key: string): Promise<ListedTicket> {
  const ticket = await run.waitForTicket((t) => t.key === key && isUnresolved(t), `an unresolved ${key}`);
  await rowOf(page, ticket).locator(".ticket-link").click();
  await expectText(page.locator("#ticket-heading"), `#${ticket.id} ${key}`);
  return ticket;
}

/** Clicks an action, fills the confirmation (if `fill`), confirms, and waits for the dialog to close. */
async function act(page: Page, label: string, fill?: (dialog: Locator) => Promise<void>): Promise<void> {
  await page
    .locator(".ticket-view .actions")
    .getByRole("button", { name: new RegExp(`^${label}`) })
    .click();
  const dialog = page.getByRole("dialog");
  await expectVisible(dialog, `the ${label} confirmation`);
  expect(await dialog.getByRole("heading").textContent()).toMatch(new RegExp(`^${label} ticket #\\d+\\?$`));
  await fill?.(dialog);
  await dialog.getByRole("button", { name: label, exact: true }).click();
  await dialog.waitFor({ state: "detached", timeout: UI_TIMEOUT_MS });
}

/** The focused element as `TAG:text`, e.g. `BUTTON:Resolve`. */
async function focusedElement(page: Page): Promise<string> {
  return page.evaluate<string>(
    '(e => e ? e.tagName + ":" + (e.textContent ?? "").trim().slice(0, 40) : "")(document.activeElement)',
  );
}

async function scrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)");
}

async function screenshotPath(): Promise<string> {
  await mkdir(join(SCREENSHOT, ".."), { recursive: true });
  return SCREENSHOT;
}
