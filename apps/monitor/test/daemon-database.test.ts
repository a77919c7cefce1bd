import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";
import { waitFor } from "./helpers/net.ts";

/** better-sqlite3, from @operator/db's dependencies (this app does not depend on it directly). */
const Database = createRequire(import.meta.resolve("@operator/db"))("better-sqlite3") as new (
  path: string,
) => { exec(sql: string): void; close(): void };
const HEARTBEAT = /Check complete: /;
let dir: string;
let config: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-daemon-db-"));
  await installFakePlugin(dir);
  config = join(dir, "violated.json");
  await writeFile(
    config,
    JSON.stringify({
      pluginDir: ".",
      subjects: [["@example/fake-subject", { name: "fake", outcome: "violated" }]],
    }),
  );
});
afterEach(() => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
});
const mounts: string[] = [];
afterAll(async () => {
  for (const mount of mounts.splice(0)) execFileSync("umount", ["-l", mount], { stdio: "ignore" });
  await rm(dir, { recursive: true, force: true });
});

/** Whether this process may mount file systems (root with the capability); probed once with a tmpfs. */
const canMount: boolean = (() => {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const probe = mkdtempSync(join(tmpdir(), "operator-mount-probe-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe], { stdio: "ignore" });
    execFileSync("umount", [probe], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
})();

/** A read-only bind mount of `source`, unmounted after the file's tests. */
async function readOnlyView(source: string): Promise<string> {
  const view = join(dir, `ro-${mounts.length}`);
  await mkdir(view);
  execFileSync("mount", ["--bind", source, view]);
  mounts.push(view);
  execFileSync("mount", ["-o", "remount,bind,ro", view]);
  return view;
}

function daemon(db: string, ...extra: string[]): CliProcess {
  const proc = startCli(["monitor", "--config", config, "--interval", "300ms", "--db", db, ...extra], {
    cwd: dir,
  });
  running.push(proc);
  return proc;
}

async function heartbeats(proc: CliProcess, count: number): Promise<void> {
  await waitFor(
    () => (proc.stderr.filter((l) => HEARTBEAT.test(l)).length >= count ? true : undefined),
    60_000,
    `${count} heartbeats:\n${proc.transcript()}`,
  );
}

describe("one daemon per database", () => {
  it("a second daemon on the same file exits 4 at once, naming the first one's pid and host; the CLI still works", async () => {
    const db = join(dir, "two.db");
    const first = daemon(db);
    await heartbeats(first, 2);
    const second = await runCli(["monitor", "--config", config, "--interval", "300ms", "--db", db], {
      cwd: dir,
      timeoutMs: 20_000,
    });
    expect(second.code).toBe(4);
    const lines = second.stderr.trimEnd().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^operator: database .*two\.db is already used by a monitor daemon/);
    expect(lines[0]).toContain(`pid ${first.child.pid} on host ${hostname()}`);
    expect(lines[0]).toContain("kill -9");
    const list = await runCli(["tickets", "list", "--json", "--db", db]);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
    const [ticket] = JSON.parse(list.stdout) as { id: number }[];
    const ack = await runCli(["tickets", "ack", String(ticket?.id), "--db", db]);
    expect(ack.code, ack.stderr).toBe(0);
    expect(first.child.exitCode).toBeNull();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });

  it("a daemon killed with SIGKILL never blocks its restart", async () => {
    const db = join(dir, "restart.db");
    for (let i = 0; i < 3; i++) {
      const proc = daemon(db);
      await heartbeats(proc, 1);
      proc.child.kill("SIGKILL");
      expect(await proc.exited).toBe("SIGKILL");
    }
    const last = daemon(db);
    await heartbeats(last, 1);
    last.child.kill("SIGTERM");
    expect(await last.exited).toBe(0);
    const list = await runCli(["tickets", "list", "--all", "--json", "--db", db]);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });
});

describe("the database file deleted or replaced while the daemon runs", () => {
  it("deleted: the next cycle notices, logs it and the daemon exits 4", async () => {
    const db = join(dir, "deleted.db");
    const proc = daemon(db);
    await heartbeats(proc, 1);
    await unlink(db);
    expect(await proc.exited).toBe(4);
    const text = proc.stderr.join("\n");
    expect(text).toMatch(/deleted\.db was deleted while open/);
    expect(proc.stderr.at(-1)).toMatch(/^operator: database .*deleted\.db was deleted while open/);
  });

  it("replaced by another file (mv over it): exits 4, and the new file gets none of the old one's writes", async () => {
    const db = join(dir, "replaced.db");
    const other = join(dir, "other.db");
    const seed = daemon(other);
    await heartbeats(seed, 1);
    seed.child.kill("SIGTERM");
    expect(await seed.exited).toBe(0);
    const proc = daemon(db);
    await heartbeats(proc, 1);
    await rename(other, db);
    expect(await proc.exited).toBe(4);
    expect(proc.stderr.at(-1)).toMatch(/replaced\.db was replaced by another file while open/);
    const list = await runCli(["tickets", "list", "--all", "--json", "--db", db]);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });
});

describe("/healthz while another process holds the database's write lock", () => {
  it("keeps answering, and cycles resume once the lock is released", async () => {
    const db = join(dir, "locked.db");
    // A 2 s interval: /healthz stays fresh (6 s) through the ~3 s the lock is held.
    const proc = daemon(db, "--listen", "127.0.0.1:0", "--interval", "2s");
    const started = await proc.waitForLine(/Monitor loop started/);
    const base = /metrics on (http:\/\/\S+)\/metrics/.exec(started)?.[1] as string;
    await heartbeats(proc, 1);
    const holder = new Database(db);
    holder.exec("BEGIN IMMEDIATE");
    try {
      // The next cycle starts 2 s after the first one and waits for the lock; ask twice meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      for (let i = 0; i < 2; i++) {
        const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
        expect(health.status).toBe(200);
      }
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    const before = proc.stderr.filter((l) => HEARTBEAT.test(l)).length;
    await heartbeats(proc, before + 1);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });
});

describe("tickets list/show on read-only media", () => {
  it.skipIf(!canMount)("read a database in a read-only directory and write nothing beside it", async () => {
    const data = join(dir, "snapshot");
    await mkdir(data);
    const proc = daemon(join(data, "operator.db"));
    await heartbeats(proc, 1);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    const before = (await readdir(data)).sort();
    const view = await readOnlyView(data);
    const list = await runCli(["tickets", "list", "--json", "--db", join(view, "operator.db")]);
    expect(list.code, list.stderr).toBe(0);
    const [ticket] = JSON.parse(list.stdout) as { id: number; key: string }[];
    expect(ticket?.key).toBe("fake/probe/e1");
    const show = await runCli(["tickets", "show", String(ticket?.id), "--db", join(view, "operator.db")]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain("fake/probe/e1");
    expect((await readdir(data)).sort()).toEqual(before);
  });
});
