import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_MODE, cliEnv } from "./helpers/cli.ts";
import { seedTickets } from "./helpers/seed.ts";

const APP_DIR = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(APP_DIR, "bin.cjs");
const RECORDER = fileURLToPath(new URL("./helpers/record-modules.mjs", import.meta.url));

/** What one run of the built CLI loaded: files, and the source modules bundled into those files. */
interface Loaded {
  readonly code: number;
  readonly esm: readonly string[];
  readonly cjs: readonly string[];
  /** Source files (from each loaded chunk's source map), relative to the repository. */
  readonly sources: readonly string[];
}

const REPO = resolve(APP_DIR, "../..");
let dir: string;
let db: string;

/** Runs `operator ...args` from dist with every loaded module recorded. */
async function loadedBy(args: readonly string[]): Promise<Loaded> {
  const log = join(dir, `modules-${Math.random().toString(36).slice(2)}.log`);
  const code = await new Promise<number>((done, fail) => {
    execFile(
      process.execPath,
      ["--import", RECORDER, BIN, ...args],
      { env: cliEnv({ OPERATOR_TEST_MODULE_LOG: log }), cwd: APP_DIR, timeout: 60_000 },
      (error) => {
        if (error && typeof error.code !== "number") fail(error);
        else done(typeof error?.code === "number" ? error.code : 0);
      },
    );
  });
  const lines = (await readFile(log, "utf8")).split("\n").filter(Boolean);
  const esm = lines.filter((l) => l.startsWith("esm ")).map((l) => fileURLToPath(l.slice(4)));
  const cjs = lines.filter((l) => l.startsWith("cjs ") && !l.endsWith(".json")).map((l) => l.slice(4));
  const sources = cjs.flatMap((file) => {
    const map = `${file}.map`;
    if (!existsSync(map)) return [];
    const { sources: list } = JSON.parse(readFileSync(map, "utf8")) as { sources: string[] };
    return list.map((source) => resolve(dirname(file), source).slice(REPO.length + 1));
  });
  return { code, esm, cjs, sources };
}

/** better-sqlite3 and the packages it finds its native addon with. */
const NATIVE = /[/\\]node_modules[/\\](better-sqlite3|bindings|file-uri-to-path)[/\\]/;

/** Code that only the daemon, `serve`, `check` or `--demo` need. */
const NOT_FOR_LISTING = [
  /node_modules\/\.pnpm\/prom-client@/,
  /node_modules\/\.pnpm\/zod@/,
  /node_modules\/\.pnpm\/hono@/,
  /node_modules\/\.pnpm\/undici@/,
  /node_modules\/\.pnpm\/ky@/,
  /node_modules\/\.pnpm\/postgres@/,
  /node_modules\/\.pnpm\/drizzle-orm@/,
  /^packages\/db\/dist\/schema\.js$/,
  /^packages\/(http|notify|tikv|tikv-sim|db-postgres|etcd|promql|subject-kit)\//,
  /^apps\/monitor\/src\/(daemon|metrics-server|demo|config|settings|check)\.ts$/,
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-modules-"));
  db = join(dir, "operator.db");
  await seedTickets(db, [
    {
      subject: "prod",
      invariant: "store_down",
      entity: "4",
      severity: "critical",
      message: "Store 4 is Down",
    },
  ]);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(CLI_MODE !== "dist")("the built CLI loads only what a command needs", () => {
  it("tickets list: a few bundled files of the app, better-sqlite3, and no daemon, server or schema code", async () => {
    const run = await loadedBy(["tickets", "list", "--db", db]);
    expect(run.code).toBe(0);
    // The entry, bin.cjs (CommonJS), is seen by both of the recorder's hooks; it requires the
    // bundle's CommonJS chunks.
    expect(run.esm).toEqual([BIN]);
    // Bundled: no module file of a workspace package or of node_modules is loaded one by one; the one
    // exception is better-sqlite3 (a native addon, not bundled) and what it finds its addon with.
    const dist = `${join(APP_DIR, "dist")}/`;
    const chunks = run.cjs.filter((file) => file.startsWith(dist));
    expect(run.cjs.filter((file) => !file.startsWith(dist) && !NATIVE.test(file))).toEqual([BIN]);
    expect(chunks.every((file) => file.endsWith(".cjs"))).toBe(true);
    expect(chunks.length).toBeLessThan(40);
    expect(run.sources).toContain("packages/db/dist/store.js");
    expect(run.sources.filter((source) => NOT_FOR_LISTING.some((pattern) => pattern.test(source)))).toEqual(
      [],
    );
  });

  it("--version loads no database code at all", async () => {
    const run = await loadedBy(["--version"]);
    expect(run.code).toBe(0);
    expect(run.cjs.filter((file) => NATIVE.test(file))).toEqual([]);
    expect(run.sources.filter((source) => source.startsWith("packages/db/"))).toEqual([]);
    expect(run.sources).toContain("apps/monitor/src/cli.ts");
  });
});
