#!/usr/bin/env node
// The `operator` command: runs the built CLI (CommonJS chunks, see rolldown.config.ts) with plain
// node. CommonJS itself, so that Node starts it without its ES module loader, and the process
// receives signals directly.
"use strict";
const { existsSync } = require("node:fs");
const { join } = require("node:path");

const cli = join(__dirname, "dist", "cli.cjs");
if (!existsSync(cli)) {
  process.stderr.write(
    "operator: not built yet: run `./dev` (or `pnpm install && pnpm build`) at the repository root first\n",
  );
  process.exit(1);
}
require(cli).run(process.argv.slice(2));
