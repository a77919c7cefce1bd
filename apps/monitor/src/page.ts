import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@operator/core";
import { pageDir } from "@operator/web";

/**
 * The page the HTTP API serves at `/`: the built assets of `@operator/web` (`dir`). The daemon and
 * `operator serve` both take it from here. When the assets are missing (a checkout that was never
 * built) the API is served alone, `/` answers 404, and a warning says how to build the page.
 */
export async function pageOption(
  logger: Pick<Logger, "warn">,
  dir: string = pageDir,
): Promise<{ readonly dir: string } | undefined> {
  if (existsSync(join(dir, "index.html"))) return { dir };
  logger.warn(
    `The web page is not built (no ${join(dir, "index.html")}): serving the API without it; run the workspace build (./dev builds it)`,
  );
  return undefined;
}
