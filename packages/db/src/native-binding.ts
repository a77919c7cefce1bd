import { createRequire } from "node:module";
import type Database from "better-sqlite3";

/**
 * better-sqlite3's compiled addon, found once by path; `undefined` when it is not where a build puts
 * it (better-sqlite3 then finds it itself). Without a path, the first connection of a process asks
 * the `bindings` package, which probes a dozen candidate paths: about 4 ms of a `tickets list`.
 */
const NATIVE_BINDING: string | undefined = (() => {
  try {
    return createRequire(import.meta.url).resolve("better-sqlite3/build/Release/better_sqlite3.node");
  } catch {
    return undefined;
  }
})();

/** `options` for `new Database()`, with the addon's path when it is known. */
export function withNativeBinding(options: Database.Options): Database.Options {
  return NATIVE_BINDING === undefined ? options : { ...options, nativeBinding: NATIVE_BINDING };
}
