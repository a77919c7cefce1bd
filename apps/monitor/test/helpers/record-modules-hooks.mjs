/** Loader hooks of record-modules.mjs: appends `esm <url>` for each module loaded. */
import { appendFileSync } from "node:fs";

let log = "";

/** @param {{ log: string }} data */
export function initialize(data) {
  log = data.log;
}

/** @type {import("node:module").LoadHook} */
export async function load(url, context, next) {
  const result = await next(url, context);
  if (log && url.startsWith("file:")) appendFileSync(log, `esm ${url}\n`);
  return result;
}
