import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A third-party subject plugin, installed as a real package under `<dir>/node_modules/<name>` (ESM
 * only: its `exports` has just an `import` condition). Its subject reports one invariant, `probe`,
 * on entity `e1`, with the outcome named by the option `outcome` (`ok`, `violated`, `critical` (violated
 * with severity critical), `unknown`), or
 * throws from `observe` when `outcome` is `unreachable`. When `outcomeFile` is set, the outcome is
 * read from that file on every cycle, so a test can change it while the daemon runs. `delayMs` makes
 * every observation take that long, ignoring the abort signal (a slow, stubborn subject). `crash`
 * leaves a rejected promise unhandled, like a buggy plugin. `entities` (default 1) names how many
 * entities (`e1`, `e2`...) the probe reports; `message` replaces the violation message, `reason` the
 * unknown reason, and `errorMessage` the message thrown when unreachable (hostile text for tests).
 * `probe` overrides the probe's default settings (`severity`, `enabled`, `forMs`, `clearMs`), as a
 * real plugin's invariant overrides would.
 */
export async function installFakePlugin(dir: string, name = "@example/fake-subject"): Promise<string> {
  const root = join(dir, "node_modules", ...name.split("/"));
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, "package.json"),
    JSON.stringify({ name, version: "1.0.0", type: "module", exports: { ".": { import: "./index.js" } } }),
  );
  await writeFile(join(root, "index.js"), FAKE_PLUGIN_SOURCE);
  return root;
}

/**
 * Sets the outcome a running fake subject reads from `outcomeFile`, atomically: a plain `writeFile`
 * truncates first, and a cycle that reads the empty file in between would answer `ok`.
 */
export async function setOutcome(outcomeFile: string, outcome: string): Promise<void> {
  await writeFile(`${outcomeFile}.next`, outcome);
  await rename(`${outcomeFile}.next`, outcomeFile);
}

/** Installs a package whose default export is not a function. */
export async function installNotAPlugin(dir: string, name = "@example/not-a-plugin"): Promise<void> {
  const root = join(dir, "node_modules", ...name.split("/"));
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, "package.json"),
    JSON.stringify({ name, version: "1.0.0", type: "module", main: "index.js" }),
  );
  await writeFile(join(root, "index.js"), "export default 42;\n");
}

const FAKE_PLUGIN_SOURCE = `
import { readFileSync } from "node:fs";

const defaults = { enabled: true, severity: "warning", forMs: 0, clearMs: 0, thresholds: {} };

export default function fakeSubject(options) {
  if (typeof options.name !== "string") throw new Error("Missing required option \`name\`");
  const outcome = () => (options.outcomeFile ? readFileSync(options.outcomeFile, "utf8").trim() : options.outcome ?? "ok");
  return {
    name: options.name,
    kind: "fake",
    invariants: [
      {
        name: "probe",
        description: "The probe reports ok.",
        defaults: { ...defaults, ...(options.probe ?? {}) },
        evaluate(observation) {
          const entities = Array.from({ length: options.entities ?? 1 }, (_, i) => \`e\${i + 1}\`);
          if (observation.outcome === "violated") {
            return entities.map((entity) => ({
              entity,
              outcome: "violated",
              message: options.message ?? \`probe failed on \${entity}\`,
              values: { probe: 0, ...(options.values ?? {}) },
            }));
          }
          if (observation.outcome === "critical") {
            return [{ entity: "e1", outcome: "violated", severity: "critical", message: "probe down on e1", values: { probe: -1 } }];
          }
          if (observation.outcome === "unknown") {
            return entities.map((entity) => ({ entity, outcome: "unknown", reason: options.reason ?? "probe unreadable" }));
          }
          return entities.map((entity) => ({ entity, outcome: "ok" }));
        },
      },
    ],
    async observe() {
      if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
      const value = outcome();
      if (value === "unreachable") throw new Error(options.errorMessage ?? "fake subject unreachable");
      if (value === "crash") void Promise.reject(new TypeError("fake plugin bug"));
      return { outcome: value };
    },
  };
}
`;
