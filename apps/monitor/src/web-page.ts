import { existsSync } from "node:fs";
import { join } from "node:path";
import { pageDir } from "@operator/web";
import type { CliLogger } from "./logger.ts";

/**
 * The web page to serve at `/` beside the API: the built assets of `@operator/web`. When they are
 * missing (a checkout that was never built) the API is served without the page, and a warning says
 * how to build it.
 */
export function webPage(logger: CliLogger, dir: string = pageDir): { readonly dir: string } | undefined {
  if (existsSync(join(dir, "index.html"))) return { dir };
  logger.warn(
    `The web page is not built (no ${join(dir, "index.html")}): serving the API without it; run the workspace build (./dev builds it)`,
  );
  return undefined;
}
