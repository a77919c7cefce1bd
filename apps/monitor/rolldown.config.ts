/**
 * The CLI's build: `src/cli.ts` and the workspace packages it imports (their built `dist/`) bundled
 * into `dist/`, so a command starts by reading a few files instead of resolving hundreds of modules.
 * Each dynamic `import()` stays a chunk of its own, so a command loads only what it runs:
 * `tickets list` never loads the daemon, the HTTP server, prom-client or the config schemas.
 *
 * The chunks are CommonJS: on Node 20, `require` of a few files starts sooner than the ES module
 * loader (resolving, linking and the loader's own start). Dynamic imports of what is not bundled
 * (the PostgreSQL store, the simulator, plugins by URL) stay `import()`.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "rolldown";

const APP_DIR = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(APP_DIR, "dist");

/**
 * Not bundled: better-sqlite3 (a native addon found beside its own files), the optional PostgreSQL
 * store (a peer dependency that may be absent; it brings its own driver) and the simulator (only for
 * `--demo`, a development dependency). Subject and notifier plugins are imported by URL at run time.
 */
const EXTERNAL: readonly (string | RegExp)[] = [
  /^node:/,
  "better-sqlite3",
  /^@operator\/db-postgres(?:\/|$)/,
  /^@operator\/tikv-sim(?:\/|$)/,
];

/**
 * Keeps `import.meta.url` meaning "this file" for code bundled from other packages: it becomes the
 * URL of the module's original file, relative to the output, so `new URL("../drizzle", import.meta.url)`
 * in @operator/db still finds that package's migrations in the installed tree.
 */
function originalImportMetaUrl(): Plugin {
  return {
    name: "original-import-meta-url",
    transform: {
      filter: { code: "import.meta.url" },
      handler(code, id) {
        const file = id.split("?")[0] ?? id;
        if (!path.isAbsolute(file) || file.startsWith(path.join(APP_DIR, "src") + path.sep)) return null;
        const relative = path.relative(OUT_DIR, file).split(path.sep).join("/");
        const url = `new URL(${JSON.stringify(relative)}, import.meta.url).href`;
        return { code: code.replaceAll("import.meta.url", url), map: null };
      },
    },
  };
}

export default defineConfig({
  input: { cli: "src/cli.ts" },
  platform: "node",
  external: [...EXTERNAL],
  plugins: [originalImportMetaUrl()],
  output: {
    dir: "dist",
    format: "cjs",
    cleanDir: true,
    sourcemap: true,
    entryFileNames: "[name].cjs",
    chunkFileNames: "[name]-[hash].cjs",
  },
});
