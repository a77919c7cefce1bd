import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const UNIT = join(ROOT, "deploy", "operator.service");
const BIN = join(ROOT, "apps", "monitor", "bin.cjs");
const SYSTEMD_ANALYZE = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].find((path) => existsSync(path));
const SHIPPED_EXEC = "ExecStart=/usr/bin/node /opt/operator/apps/monitor/bin.cjs ";

let dir: string;
let unit: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-unit-"));
  unit = await readFile(UNIT, "utf8");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The unit's `Key=value` lines, by key (a key may repeat). */
function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match?.[1] === undefined || match[2] === undefined) continue;
    out.set(match[1], [...(out.get(match[1]) ?? []), match[2]]);
  }
  return out;
}

/** Runs `systemd-analyze verify` on `text` saved as operator.service in a fresh directory: exit code and all output. */
async function verify(text: string, name: string): Promise<{ code: number; output: string }> {
  const sub = join(dir, name);
  await rm(sub, { recursive: true, force: true });
  await mkdir(sub);
  const path = join(sub, "operator.service");
  await writeFile(path, text);
  return new Promise((resolve) => {
    execFile(SYSTEMD_ANALYZE as string, ["verify", path], (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}`.trim() });
    });
  });
}

/** The shipped unit with ExecStart pointing at this machine's node and this checkout's bin.cjs. */
function local(text: string): string {
  expect(text).toContain(SHIPPED_EXEC);
  return text.replace(SHIPPED_EXEC, `ExecStart=${process.execPath} ${BIN} `);
}

describe("deploy/operator.service", () => {
  it("is hardened: dedicated user, state directory, read-only system, no new privileges, restarts, reload by SIGHUP", () => {
    const d = directives(unit);
    expect(d.get("User")?.[0] === "operator" || d.get("DynamicUser")?.[0] === "yes").toBe(true);
    expect(d.get("StateDirectory")).toEqual(["operator"]);
    expect(d.get("ProtectSystem")).toEqual(["strict"]);
    expect(d.get("NoNewPrivileges")).toEqual(["yes"]);
    expect(d.get("Restart")).toEqual(["on-failure"]);
    expect(d.get("ExecReload")).toEqual(["/bin/kill -HUP $MAINPID"]);
    expect(d.get("ExecStart")?.[0]).toMatch(/ monitor --config \/etc\/operator\/config\.json$/);
  });

  it("is the unit docs/deployment.md shows", async () => {
    const docs = await readFile(join(ROOT, "docs", "deployment.md"), "utf8");
    const block = /`deploy\/operator\.service`[\s\S]*?```ini\n([\s\S]*?)```/.exec(docs)?.[1];
    expect(block, "an ```ini block after `deploy/operator.service` in docs/deployment.md").toBeDefined();
    expect(block).toBe(unit);
  });

  it.skipIf(SYSTEMD_ANALYZE === undefined)(
    "passes systemd-analyze verify without a warning (skipped where systemd-analyze is not installed)",
    async () => {
      expect(await verify(local(unit), "shipped")).toEqual({ code: 0, output: "" });
    },
  );

  it.skipIf(SYSTEMD_ANALYZE === undefined)(
    "the verification sees a misspelt directive (skipped where systemd-analyze is not installed)",
    async () => {
      const result = await verify(local(unit).replace("ProtectSystem=", "ProtectSytem="), "misspelt");
      expect(result.output).toMatch(/Unknown key 'ProtectSytem'/);
    },
  );
});
