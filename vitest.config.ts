import { defineConfig } from "vitest/config";

/** The whole suite: every workspace member's own vitest config is a project. */
export default defineConfig({
  test: {
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts"],
  },
});
