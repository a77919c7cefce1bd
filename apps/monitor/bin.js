#!/usr/bin/env node
// The `operator` command: runs the built CLI with plain node, so it starts fast and receives signals directly.
import { existsSync } from "node:fs";

const cli = new URL("./dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write(
    "operator: not built yet: run `./dev` (or `pnpm install && pnpm build`) at the repository root first\n",
  );
  process.exit(1);
}
const { run } = await import(cli.href);
await run(process.argv.slice(2));
