import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type SimCluster, startCluster as startTikvSim } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { memberUnreachable } from "../src/index.ts";
import { startCluster, type TestCluster, waitFor } from "./helpers/etcd-cluster.ts";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BIN = join(ROOT, "apps/monitor/bin.cjs");
const BUILT = [
  "apps/monitor/dist/cli.cjs",
  "packages/core/dist/index.js",
  "packages/tikv/dist/index.js",
  "packages/etcd/dist/index.js",
].map((file) => join(ROOT, file));

/** A ticket as `operator tickets list --json` prints it (the fields used here). */
interface ListedTicket {
  readonly key: string;
  readonly status: string;
  readonly resolvedAt: unknown;
  readonly runbook: { readonly hint: string; readonly url?: string } | null;
}

describe("one daemon watching a TiKV subject and an etcd subject from one --config file", () => {
  let etcd: TestCluster;
  let tikv: SimCluster;
  let dir: string;
  let daemon: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    const missing = BUILT.filter((file) => !existsSync(file));
    if (missing.length > 0)
      throw new Error(`build the workspace first (pnpm build): missing ${missing.join(", ")}`);
    dir = await mkdtemp(join(tmpdir(), "operator-combined-"));
    // What `npm install @operator/etcd` next to the config file gives: the daemon resolves it by name.
    await mkdir(join(dir, "node_modules/@operator"), { recursive: true });
    await symlink(join(ROOT, "packages/etcd"), join(dir, "node_modules/@operator/etcd"), "dir");
    [etcd, tikv] = await Promise.all([startCluster({ size: 3 }), startTikvSim({ stores: 3, timeScale: 20 })]);
  });

  afterAll(async () => {
    if (daemon && daemon.exitCode === null) daemon.kill("SIGKILL");
    await Promise.all([etcd?.stop(), tikv?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function tickets(): Promise<ListedTicket[]> {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [BIN, "tickets", "list", "--json", "--all", "--db", join(dir, "operator.db")],
        (error, out, err) =>
          error ? reject(new Error(`tickets list failed: ${err || error.message}`)) : resolve(out),
      );
    });
    return JSON.parse(stdout) as ListedTicket[];
  }

  async function waitForTicket(key: string, resolved: boolean): Promise<ListedTicket> {
    let found: ListedTicket | undefined;
    await waitFor(
      async () => {
        found = (await tickets()).find(
          (ticket) => ticket.key === key && (ticket.resolvedAt !== null) === resolved,
        );
        return found !== undefined;
      },
      60_000,
      () => `no ${resolved ? "resolved" : "open"} ticket ${key}; daemon output:\n${output.slice(-3000)}`,
    );
    return found as ListedTicket;
  }

  it("opens and resolves tickets for both subjects, the etcd plugin loaded by its package name", async () => {
    const config = {
      subjects: [
        ["@operator/tikv", { name: "tikv", pdUrl: tikv.pdUrl }],
        [
          "@operator/etcd",
          {
            name: "etcd",
            endpoints: etcd.endpoints,
            timeoutMs: 1000,
            invariants: { member_unreachable: { for: "2s" } },
          },
        ],
      ],
    };
    const configPath = join(dir, "operator.json");
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);
    daemon = spawn(
      process.execPath,
      [BIN, "monitor", "--config", configPath, "--interval", "1s", "--db", join(dir, "operator.db")],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    daemon.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    daemon.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    await waitFor(
      () => /Check complete/.test(output),
      30_000,
      () => output,
    );
    expect(output).toMatch(/Monitor loop started: tikv \(tikv\), etcd \(etcd\)/);

    await etcd.kill("n3");
    tikv.stopStore(2);
    const etcdTicket = await waitForTicket("etcd/member_unreachable/n3", false);
    const tikvTicket = await waitForTicket("tikv/store_down/2", false);
    expect(etcdTicket.status).toBe("open");
    expect(tikvTicket.status).toBe("open");
    expect(etcdTicket.runbook).toEqual(memberUnreachable.runbook);
    expect(tikvTicket.runbook?.hint).toMatch(/tikv-server/);

    await etcd.restart("n3");
    tikv.startStore(2);
    await waitForTicket("etcd/member_unreachable/n3", true);
    await waitForTicket("tikv/store_down/2", true);
    expect(
      (await tickets()).filter((ticket) => ticket.resolvedAt === null && ticket.key.startsWith("etcd/")),
    ).toEqual([]);

    const exited = new Promise<number | null>((resolve) => daemon?.once("exit", (code) => resolve(code)));
    daemon.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/Monitor loop stopped/);
  }, 180_000);
});
