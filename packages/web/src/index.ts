import { fileURLToPath } from "node:url";

/**
 * The absolute path of the built page: `index.html` and `assets/` (made by this package's build).
 * The HTTP server serves it at `/` (`page: { dir: pageDir }`).
 */
export const pageDir: string = fileURLToPath(new URL("../dist/page", import.meta.url));
