import { createRequire } from "node:module";
import type { Versions } from "./errors.ts";

/** This app's version, read from its package.json (the same file from `src/` and `dist/`). */
export const VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string })
  .version;

/** Versions printed with `--version --verbose` and with internal errors. */
export function versions(): Versions {
  return { operator: VERSION, node: process.version, platform: `${process.platform} ${process.arch}` };
}
