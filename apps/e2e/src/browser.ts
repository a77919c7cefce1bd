import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { onCleanup } from "./cleanup.ts";

/** Where Debian's `chromium` package puts the browser (`./dev test` installs it). */
export const CHROMIUM_PATH = process.env.OPERATOR_CHROMIUM ?? "/usr/bin/chromium";

/** True when a Chromium binary is there to drive. */
export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** A console message or uncaught error the page produced. */
export interface ConsoleProblem {
  readonly text: string;
  /** The resource or script the message is about, when the browser says. */
  readonly url: string;
}

/** A page with everything it did recorded: each request's URL, each console error, each uncaught error. */
export interface RecordedPage {
  readonly browser: Browser;
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every request the page made, in order (absolute URLs). */
  readonly requests: readonly string[];
  /** Console messages of type `error`, and uncaught exceptions. */
  readonly errors: readonly ConsoleProblem[];
  /** Closes the browser (before the server it talks to stops, so that no dropped stream is logged). */
  close(): Promise<void>;
}

/**
 * Starts headless Chromium (as root it needs `--no-sandbox`) with one page whose requests and console
 * errors are recorded. The browser is closed at cleanup if the test has not closed it.
 */
export async function openRecordedPage(options: {
  width: number;
  height: number;
  colorScheme?: "light" | "dark";
}): Promise<RecordedPage> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: ["--no-sandbox"] });
  const unregister = onCleanup(() => browser.close());
  const context = await browser.newContext({
    viewport: { width: options.width, height: options.height },
    colorScheme: options.colorScheme ?? "light",
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: ConsoleProblem[] = [];
  context.on("request", (request) => requests.push(request.url()));
  page.on("console", (message) => {
    if (message.type() === "error") errors.push({ text: message.text(), url: message.location().url });
  });
  page.on("pageerror", (error) => errors.push({ text: `uncaught: ${error.message}`, url: "" }));
  return {
    browser,
    context,
    page,
    requests,
    errors,
    async close() {
      await browser.close();
      unregister();
    },
  };
}
