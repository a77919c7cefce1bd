#!/usr/bin/env node
// Builds the page into dist/page: index.html, and in assets/ the bundled script (Preact included),
// the stylesheet and the icon. Everything the page loads comes from these files: no CDN, no fonts.
import { copyFile, mkdir, rm } from "node:fs/promises";
import { build } from "esbuild";

const here = new URL(".", import.meta.url);
const out = new URL("dist/page/", here);
const assets = new URL("assets/", out);

await rm(out, { recursive: true, force: true });
await mkdir(assets, { recursive: true });
await build({
  entryPoints: {
    app: new URL("page/main.tsx", here).pathname,
    "app-style": new URL("page/styles.css", here).pathname,
  },
  outdir: assets.pathname,
  entryNames: "[name]",
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox111", "safari16.4"],
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "eof",
  logLevel: "warning",
});
await rm(new URL("app.css", assets), { force: true });
await copyFile(new URL("app-style.css", assets), new URL("app.css", assets));
await rm(new URL("app-style.css", assets));
await copyFile(new URL("page/index.html", here), new URL("index.html", out));
await copyFile(new URL("page/icon.svg", here), new URL("icon.svg", assets));
