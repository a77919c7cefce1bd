import { defineConfig } from "drizzle-kit";

/** drizzle-kit settings: `pnpm generate --name <name>` writes a migration, `pnpm check:migrations` checks them. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/schema.ts",
  out: "./drizzle",
});
