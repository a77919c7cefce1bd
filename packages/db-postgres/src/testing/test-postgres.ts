import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

/** A PostgreSQL server started for tests, on 127.0.0.1 and a free port, in a temporary directory. */
export interface TestPostgres {
  /** The server's port. */
  readonly port: number;
  /** A URL of the `postgres` database (superuser, no password). */
  readonly url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Stops the server (SIGINT, fast shutdown) and starts it again on the same port and data, after `downMs`. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startTestPostgres}. */
export interface StartTestPostgresOptions {
  /** PostgreSQL's `bin` directory. @default `OPERATOR_PG_BIN`, else the newest `/usr/lib/postgresql/<v>/bin` */
  readonly binDir?: string;
  /**
   * The `postgres` user's password: TCP logins then need it (scram-sha-256), and `url` carries it.
   * @default none (every login trusted)
   */
  readonly password?: string;
  /** Extra `-c name=value` server settings. */
  readonly settings?: Readonly<Record<string, string>>;
}

/** Where PostgreSQL's binaries are, or undefined when it is not installed. */
export function findPostgresBin(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.OPERATOR_PG_BIN) return env.OPERATOR_PG_BIN;
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "postgres")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

const running = new Set<() => void>();
let exitHookInstalled = false;

/**
 * Starts a real PostgreSQL for a test file: `initdb` in a temporary directory, then `postgres` on
 * 127.0.0.1 and a free port, with durability off (tests only). As root, both run as the `postgres`
 * user (the server refuses root) and the directory is handed to it. The server is stopped and the
 * directory removed by `stop()`, and also when the process exits without it.
 */
export async function startTestPostgres(options: StartTestPostgresOptions = {}): Promise<TestPostgres> {
  const bin = options.binDir ?? findPostgresBin();
  if (bin === undefined)
    throw new Error("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin); set OPERATOR_PG_BIN");
  const dir = mkdtempSync(join(tmpdir(), "operator-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? postgresUser() : undefined;
  if (user !== undefined) {
    chownSync(dir, user.uid, user.gid);
    chmodSync(dir, 0o700);
  }
  const run = (program: string, args: string[]) =>
    user === undefined
      ? { cmd: join(bin, program), args }
      : { cmd: "runuser", args: ["-u", "postgres", "--", join(bin, program), ...args] };
  let child: ChildProcess | undefined;
  const cleanup = () => {
    killPostmaster(data, "SIGQUIT");
    child?.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  };
  running.add(cleanup);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const fn of running) fn();
    });
  }
  try {
    const auth = ["-A", "trust"];
    if (options.password !== undefined) {
      const pwfile = join(dir, "pwfile");
      writeFileSync(pwfile, `${options.password}\n`, { mode: 0o600 });
      if (user !== undefined) chownSync(pwfile, user.uid, user.gid);
      auth.splice(0, 2, "--auth-local=trust", "--auth-host=scram-sha-256", `--pwfile=${pwfile}`);
    }
    const initArgs = ["-D", data, "-U", "postgres", ...auth, "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"];
    const init = run("initdb", initArgs);
    execFileSync(init.cmd, init.args, { stdio: ["ignore", "ignore", "pipe"] });
    const port = await freePort();
    const settings = {
      listen_addresses: "127.0.0.1",
      fsync: "off",
      synchronous_commit: "off",
      full_page_writes: "off",
      max_connections: "200",
      ...options.settings,
    };
    const args = [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`]),
    ];
    const login =
      options.password === undefined ? "postgres" : `postgres:${encodeURIComponent(options.password)}`;
    const url = `postgres://${login}@127.0.0.1:${port}/postgres`;
    const start = async () => {
      const server = run("postgres", args);
      const stderr: string[] = [];
      child = spawn(server.cmd, server.args, { stdio: ["ignore", "ignore", "pipe"] });
      child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
      await waitReady(url, child, stderr);
    };
    const stopServer = async () => {
      const current = child;
      if (current === undefined || current.exitCode !== null || current.signalCode !== null) return;
      const exited = new Promise((resolve) => current.once("close", resolve));
      if (!killPostmaster(data, "SIGINT")) current.kill("SIGINT");
      await exited;
    };
    await start();
    let databases = 0;
    let stopped = false;
    return {
      port,
      url,
      async createDatabase(name = `test_${++databases}_${process.pid}`) {
        const admin = postgres(url, { max: 1, onnotice: () => undefined });
        try {
          await admin.unsafe(`CREATE DATABASE "${name.replace(/"/g, "")}"`);
        } finally {
          await admin.end({ timeout: 1 });
        }
        return `postgres://${login}@127.0.0.1:${port}/${encodeURIComponent(name)}`;
      },
      async restart(downMs = 0) {
        await stopServer();
        if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
        await start();
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await stopServer();
        running.delete(cleanup);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    cleanup();
    running.delete(cleanup);
    throw error;
  }
}

function postgresUser(): { uid: number; gid: number } {
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  return { uid, gid };
}

/** Signals the postmaster named in `postmaster.pid`; false when there is none. */
function killPostmaster(data: string, signal: NodeJS.Signals): boolean {
  try {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    if (!Number.isInteger(pid) || pid <= 1) return false;
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitReady(url: string, child: ChildProcess, stderr: string[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`postgres exited before it was ready: ${stderr.join("").slice(-2000)}`);
    }
    const probe = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => undefined });
    try {
      await probe`SELECT 1`;
      return;
    } catch (error) {
      if (Date.now() > deadline)
        throw new Error(
          `postgres was not ready after 30 s: ${String(error)} ${stderr.join("").slice(-2000)}`,
        );
    } finally {
      await probe.end({ timeout: 1 }).catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
