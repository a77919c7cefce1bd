import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/**
 * The end-to-end files start real processes (Prometheus, the daemon, a simulated cluster): they run one
 * at a time, after the other projects, with timeouts sized for a loaded two-core machine.
 */
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "@operator/e2e",
      include: ["test/**/*.test.ts"],
      fileParallelism: false,
      maxWorkers: 1,
      testTimeout: 180_000,
      hookTimeout: 120_000,
    },
  }),
);
