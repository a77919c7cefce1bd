import { defineConfig } from "vitest/config";

/**
 * The whole suite: every workspace member's own vitest config is a project. Three files at a time
 * even on two cores (vitest's default would be one): most files wait on real servers and child
 * processes rather than on the CPU. The end-to-end project still runs its files one at a time.
 */
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts"],
    maxWorkers: 3,
  },
});
