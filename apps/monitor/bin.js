#!/usr/bin/env node
// The `operator` command: runs the built CLI (CommonJS chunks, see rolldown.config.ts) with plain
// node, so it starts fast and receives signals directly.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("./dist/cli.cjs", import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write(
    "operator: not built yet: run `./dev` (or `pnpm install && pnpm build`) at the repository root first\n",
  );
  process.exit(1);
}
const { run } = createRequire(import.meta.url)(cli);
await run(process.argv.slice(2));
