import { defineProject, mergeConfig } from "vitest/config";
import shared from "../../vitest.shared.ts";

/** The CLI tests start `operator` as a child process; generous timeouts for a loaded two-core machine. */
export default mergeConfig(
  shared,
  defineProject({
    test: { name: "@operator/monitor", include: ["test/**/*.test.ts"], testTimeout: 120_000 },
  }),
);
