import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll } from "vitest";
import { tempDir } from "./temp.ts";

const mounted: string[] = [];

afterAll(() => {
  for (const dir of mounted.splice(0).reverse()) {
    try {
      execFileSync("umount", [dir], { stdio: "ignore" });
    } catch {
      // Already gone.
    }
  }
});

/** True when this process may mount file systems (root on Linux); tests needing it skip otherwise. */
export const canMount: boolean = (() => {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const dir = join(tempDir(), "probe");
  mkdirSync(dir);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** A fresh tmpfs of `size` (e.g. "1m"), unmounted after the test file. */
export function smallDisk(size: string): string {
  const dir = join(tempDir(), "disk");
  mkdirSync(dir);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir]);
  mounted.push(dir);
  return dir;
}

/** A read-only view (bind mount) of `dir`, unmounted after the test file. */
export function readOnlyView(dir: string): string {
  const view = join(tempDir(), "ro");
  mkdirSync(view);
  execFileSync("mount", ["--bind", dir, view]);
  mounted.push(view);
  execFileSync("mount", ["-o", "remount,bind,ro", view]);
  return view;
}
