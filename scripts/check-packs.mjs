#!/usr/bin/env node
// Packs every publishable workspace package the way `pnpm publish` would, and checks each tarball:
// publint accepts it, and its manifest points only at built files (never at `src`).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), "operator-packs-"));
let failures = 0;

for (const dir of readdirSync(join(root, "packages"))) {
  const pkgDir = join(root, "packages", dir);
  const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  if (manifest.private) continue;
  const dest = join(out, dir);
  execFileSync("pnpm", ["pack", "--pack-destination", dest], { cwd: pkgDir, stdio: "ignore" });
  const tarball = join(
    dest,
    readdirSync(dest).find((f) => f.endsWith(".tgz")),
  );
  execFileSync("tar", ["-xzf", tarball, "-C", dest]);
  const packed = readFileSync(join(dest, "package", "package.json"), "utf8");
  const problems = [];
  if (/["']\.\/src\//.test(packed) || packed.includes("@operator/source"))
    problems.push("manifest refers to src");
  if (/workspace:/.test(packed)) problems.push("manifest keeps a workspace: range");
  try {
    execFileSync("npx", ["publint", "--strict", "--pack", "false", join(dest, "package")], { stdio: "pipe" });
  } catch (error) {
    problems.push(`publint: ${String(error.stdout ?? error.message).trim()}`);
  }
  if (problems.length) failures++;
  console.error(`${problems.length ? "FAIL" : "ok  "} ${manifest.name} ${problems.join("; ")}`);
}
rmSync(out, { recursive: true, force: true });
process.exit(failures ? 1 : 0);
