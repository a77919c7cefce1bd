import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Subject } from "@operator/core";
import { ConfigError, isOperatorError } from "@operator/core";
import type { SubjectSpec } from "./config.ts";

/**
 * Loads a subject plugin by package name and builds its subject: resolves the package from each of
 * `spec.resolveFrom` in turn and then from this app, `import()`s it, unwraps `default`, checks that it
 * is a factory, calls it with the options and checks that the result looks like a `Subject`.
 * Every failure is one {@link ConfigError} naming the package, so a third-party plugin needs no code
 * change here, only `npm install` next to the config file.
 */
export async function loadSubject(spec: SubjectSpec): Promise<Subject> {
  const factory = await loadSubjectFactory(spec.packageName, spec.resolveFrom, spec.origin);
  let subject: unknown;
  try {
    subject = factory(spec.options);
  } catch (error) {
    const message = isOperatorError(error)
      ? error.message.replace(/^\[operator\]\s*/, "")
      : ((error as Error)?.message ?? String(error));
    throw new ConfigError(`${spec.origin} (${spec.packageName}): ${message}`, { cause: error });
  }
  const problem = _subjectProblem(subject);
  if (problem) {
    throw new ConfigError(`${spec.origin}: ${spec.packageName} did not return a subject (${problem})`);
  }
  return subject as Subject;
}

/** Resolves and imports a plugin package, returning its factory (`default` export, or the module itself). */
export async function loadSubjectFactory(
  packageName: string,
  resolveFrom: readonly string[],
  origin: string,
): Promise<(options: unknown) => unknown> {
  let url: string | null;
  try {
    url = resolvePackage(packageName, resolveFrom);
  } catch (error) {
    throw new ConfigError(`${origin}: ${(error as Error).message.replace(/^\[operator\]\s*/, "")}`, {
      cause: error,
    });
  }
  if (url === null) {
    const places = [...resolveFrom, _appDir()].join(", ");
    throw new ConfigError(
      `${origin}: subject package ${packageName} cannot be found (looked in ${places}); install it next to the config file`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(
      `${origin}: subject package ${packageName} failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const candidate = typeof mod.default === "function" ? mod.default : mod;
  if (typeof candidate !== "function") {
    throw new ConfigError(
      `${origin}: ${packageName} is not a subject plugin (its default export must be a function (options) => Subject)`,
    );
  }
  return candidate as (options: unknown) => unknown;
}

/**
 * The URL of `packageName`'s main module as seen from each directory of `from`, then from this app;
 * null when it is nowhere. Uses Node's own resolution (exports, conditions, symlinks) and falls back
 * to reading `exports`/`main` for ESM-only packages that `require` cannot resolve.
 */
export function resolvePackage(packageName: string, from: readonly string[]): string | null {
  for (const dir of [...from, _appDir()]) {
    const require = createRequire(join(dir, "noop.js"));
    try {
      return pathToFileURL(require.resolve(packageName)).href;
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      if (code === "MODULE_NOT_FOUND" && !message.includes(`'${packageName}'`)) {
        throw new ConfigError(
          `subject package ${packageName} is installed but broken (not built?): ${message.split("\n")[0]}`,
        );
      }
      if (code !== "MODULE_NOT_FOUND" && code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw error;
      const esm = _resolveEsmOnly(packageName, dir);
      if (esm) return pathToFileURL(esm).href;
    }
  }
  return null;
}

// --- Internal helpers ---

function _appDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/** Finds `node_modules/<name>` above `dir` and reads its `exports["."]` import/default or `main`. */
function _resolveEsmOnly(packageName: string, dir: string): string | null {
  for (let current = dir; ; current = dirname(current)) {
    const root = join(current, "node_modules", packageName);
    const manifest = join(root, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { exports?: unknown; main?: string };
      const target = _exportTarget(pkg.exports) ?? pkg.main ?? "index.js";
      const file = join(root, target);
      return existsSync(file) ? file : null;
    }
    if (dirname(current) === current) return null;
  }
}

function _exportTarget(exports: unknown): string | null {
  if (typeof exports === "string") return exports;
  if (typeof exports !== "object" || exports === null) return null;
  const record = exports as Record<string, unknown>;
  const entry = "." in record ? record["."] : record;
  if (typeof entry === "string") return entry;
  if (typeof entry !== "object" || entry === null) return null;
  for (const condition of ["import", "node", "default"]) {
    const target = _exportTarget((entry as Record<string, unknown>)[condition]);
    if (target !== null) return target;
  }
  return null;
}

function _subjectProblem(value: unknown): string | null {
  if (typeof value !== "object" || value === null) return `got ${value === null ? "null" : typeof value}`;
  const subject = value as Partial<Subject>;
  if (typeof subject.name !== "string" || subject.name === "") return "no name";
  if (typeof subject.kind !== "string") return "no kind";
  if (!Array.isArray(subject.invariants)) return "no invariants array";
  if (typeof subject.observe !== "function") return "no observe() function";
  return null;
}
