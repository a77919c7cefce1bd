import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const PACKAGE_DIR = fileURLToPath(new URL("..", import.meta.url));

/** Runs `script` (an ES module) in a fresh Node process that imports this package from source. */
function runFresh(script: string): Promise<string> {
  const tsx = import.meta.resolve("tsx");
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--conditions=@operator/source", "--import", tsx, "--input-type=module", "-e", script],
      { cwd: PACKAGE_DIR, timeout: 60_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

const LOADED_UNDICI = `
  import { createRequire } from "node:module";
  const loadedUndici = () =>
    Object.keys(createRequire(import.meta.url).cache).some((file) => /[\\\\/]undici[\\\\/]/.test(file));
`;

it("a client, with or without TLS settings, loads no undici package", async () => {
  const out = await runFresh(`${LOADED_UNDICI}
    const kit = await import("@operator/subject-kit");
    kit.createHttpClient({ source: "pd", label: "PD", baseUrl: "http://127.0.0.1:9" });
    const tls = { ca: undefined, cert: undefined, key: undefined, serverName: "pd.internal" };
    kit.createHttpClient({ source: "pd", label: "PD", baseUrl: "https://127.0.0.1:9", tls });
    console.log(JSON.stringify({ loadedUndici: loadedUndici() }));
  `);
  expect(JSON.parse(out)).toEqual({ loadedUndici: false });
});
