import { defaultServerConditions } from "vite";
import { defineConfig } from "vitest/config";

/** Shared test settings: workspace packages are resolved from their TypeScript sources. */
export default defineConfig({
  ssr: { resolve: { conditions: ["@operator/source", ...defaultServerConditions] } },
  resolve: { conditions: ["@operator/source"] },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
