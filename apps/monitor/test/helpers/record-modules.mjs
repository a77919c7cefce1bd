/**
 * Preloaded with `node --import` by module-loading.test.ts: records every file the process loads,
 * ES modules through a loader hook (which runs on its own thread, so it appends to the file itself)
 * and CommonJS modules from the require cache at exit, one `esm <url>` or `cjs <path>` line each,
 * to the file named by OPERATOR_TEST_MODULE_LOG.
 */
import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";

const log = process.env.OPERATOR_TEST_MODULE_LOG;
if (log) {
  register(new URL("./record-modules-hooks.mjs", import.meta.url), { data: { log } });
  const cache = createRequire(import.meta.url).cache;
  process.on("exit", () => {
    appendFileSync(
      log,
      Object.keys(cache)
        .map((path) => `cjs ${path}\n`)
        .join(""),
    );
  });
}
