import { existsSync, readFileSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Subject } from "@operator/core";
import { ConfigError, isOperatorError } from "@operator/core";
import type { SubjectSpec } from "./config.ts";

/**
 * Loads a subject plugin by package name and builds its subject: resolves the package from the
 * `node_modules` of each of `spec.resolveFrom` (the config's `pluginDir`) and then from operator's
 * own installation, `import()`s it, unwraps `default`, checks that it is a factory, calls it with the
 * options and checks that the result looks like a `Subject`. Only package names are accepted, never
 * paths, and nothing is resolved from the config file's directory. Every failure is one
 * {@link ConfigError} naming the package, so a third-party plugin needs no code change here, only
 * `npm install --prefix <pluginDir> <package>`.
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
  const problem = packageNameProblem(packageName);
  if (problem !== null) {
    throw new ConfigError(
      `${origin}: "${packageName}" ${problem}: subjects name an installed plugin package, e.g. @operator/tikv (see pluginDir in docs/cli.md)`,
    );
  }
  let url: string | null;
  try {
    url = resolvePackage(packageName, resolveFrom);
  } catch (error) {
    throw new ConfigError(`${origin}: ${(error as Error).message.replace(/^\[operator\]\s*/, "")}`, {
      cause: error,
    });
  }
  if (url === null) {
    const places = [
      ...resolveFrom.map((dir) => join(dir, "node_modules")),
      "operator's own installation",
    ].join(", ");
    throw new ConfigError(
      `${origin}: subject package ${packageName} cannot be found (looked in ${places}); install it with npm install --prefix <pluginDir> ${packageName} and set pluginDir in the config file`,
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
 * Why `name` is not a plain npm package name (`tikv-plugin`, `@scope/name`), or null when it is one.
 * Paths (`./evil.cjs`, `/opt/x`, `C:\\x`), subpaths (`@operator/tikv/dist/x.js`), URLs and Node's
 * built-in modules are refused.
 */
export function packageNameProblem(name: string): string | null {
  if (name.startsWith(".") || name.startsWith("/") || name.includes("\\") || /^[a-z]:/i.test(name)) {
    return "is a path, not a package name";
  }
  if (name.startsWith("node:") || builtinModules.includes(name)) return "is a Node.js built-in module";
  if (!/^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/i.test(name) || name.length > 214) {
    return "is not a package name";
  }
  return null;
}

/**
 * The URL of `packageName`'s main module from the `node_modules` directly inside each directory of
 * `from` (no parent directories), then from operator's own installation; null when it is nowhere.
 * Uses Node's own resolution (exports, conditions, symlinks) and falls back to reading
 * `exports`/`main` for ESM-only packages that `require` cannot resolve.
 */
export function resolvePackage(packageName: string, from: readonly string[]): string | null {
  const pluginDirs = from.filter((dir) => existsSync(join(dir, "node_modules", packageName, "package.json")));
  for (const dir of [...pluginDirs, _appDir()]) {
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
      const esm = _resolveEsmOnly(packageName, dir, dir !== _appDir());
      if (esm) return pathToFileURL(esm).href;
    }
  }
  return null;
}

// --- Internal helpers ---

function _appDir(): string {
  return dirname(fileURLToPath(import.meta.url));
}

/**
 * Finds `node_modules/<name>` in `dir` (and above it unless `only`) and reads its `exports["."]`
 * import/default or `main`.
 */
function _resolveEsmOnly(packageName: string, dir: string, only: boolean): string | null {
  for (let current = dir; ; current = dirname(current)) {
    const root = join(current, "node_modules", packageName);
    const manifest = join(root, "package.json");
    if (existsSync(manifest)) {
      const pkg = JSON.parse(readFileSync(manifest, "utf8")) as { exports?: unknown; main?: string };
      const target = _exportTarget(pkg.exports) ?? pkg.main ?? "index.js";
      const file = join(root, target);
      return existsSync(file) ? file : null;
    }
    if (only || dirname(current) === current) return null;
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
