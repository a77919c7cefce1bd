import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { get as httpsGet } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where the etcd binary is; override with ETCD_BIN. */
export const ETCD_BIN = process.env.ETCD_BIN ?? "/usr/bin/etcd";

/** One member of a test cluster. */
export interface TestMember {
  readonly name: string;
  readonly clientUrl: string;
  readonly peerUrl: string;
  readonly dataDir: string;
  readonly logFile: string;
}

/** A real etcd cluster on 127.0.0.1, in a temp directory, owned by the test that started it. */
export interface TestCluster {
  readonly members: readonly TestMember[];
  /** Client URLs, in member order. */
  readonly endpoints: readonly string[];
  /** Kills a member (SIGKILL by default) and waits for its process to exit. */
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a stopped member again on its data dir and ports; waits until it answers `/health`. */
  restart(name: string): Promise<void>;
  /** Polls until every named member (default: all running) answers `/health` 200. */
  waitHealthy(names?: readonly string[], timeoutMs?: number): Promise<void>;
  /** The tail of a member's log, for failure messages. */
  log(name: string): Promise<string>;
  /** Stops every member and removes the temp directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  /** Members to start. @default 1 */
  readonly size?: number;
  /** `--quota-backend-bytes`, e.g. 4 MiB to reach NOSPACE quickly. */
  readonly quotaBackendBytes?: number;
  /** `--metrics`: `extensive` adds the gRPC latency histogram. @default basic (etcd's default) */
  readonly metrics?: "basic" | "extensive";
  /** Wait for all members to be healthy before returning. @default true */
  readonly waitHealthy?: boolean;
  /**
   * Serve clients over https, requiring a client certificate signed by `caFile`
   * (`--client-cert-auth --trusted-ca-file --cert-file --key-file`); `client` is what the helper's own
   * health checks present.
   */
  readonly tls?: {
    readonly caFile: string;
    readonly certFile: string;
    readonly keyFile: string;
    readonly client: { readonly certFile: string; readonly keyFile: string };
  };
}

const running = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Starts `size` etcd members forming one cluster, on free ports, and waits until they are healthy. */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const size = options.size ?? 1;
  const root = await mkdtemp(join(tmpdir(), "operator-etcd-"));
  const members: TestMember[] = [];
  const ports = new Set<number>();
  while (ports.size < size * 2) ports.add(await freePort());
  const free = [...ports];
  for (let index = 1; index <= size; index++) {
    const [client, peer] = [free[index * 2 - 2], free[index * 2 - 1]];
    members.push({
      name: `n${index}`,
      clientUrl: `${options.tls ? "https" : "http"}://127.0.0.1:${client}`,
      peerUrl: `http://127.0.0.1:${peer}`,
      dataDir: join(root, `n${index}`),
      logFile: join(root, `n${index}.log`),
    });
  }
  const initialCluster = members.map((member) => `${member.name}=${member.peerUrl}`).join(",");
  const processes = new Map<string, ChildProcess>();

  const launch = (member: TestMember): void => {
    const args = [
      `--name=${member.name}`,
      `--data-dir=${member.dataDir}`,
      `--listen-client-urls=${member.clientUrl}`,
      `--advertise-client-urls=${member.clientUrl}`,
      `--listen-peer-urls=${member.peerUrl}`,
      `--initial-advertise-peer-urls=${member.peerUrl}`,
      `--initial-cluster=${initialCluster}`,
      "--initial-cluster-state=new",
      "--initial-cluster-token=operator-test",
      "--logger=zap",
      `--log-outputs=${member.logFile}`,
      ...(options.quotaBackendBytes ? [`--quota-backend-bytes=${options.quotaBackendBytes}`] : []),
      ...(options.tls
        ? [
            "--client-cert-auth",
            `--trusted-ca-file=${options.tls.caFile}`,
            `--cert-file=${options.tls.certFile}`,
            `--key-file=${options.tls.keyFile}`,
          ]
        : []),
      ...(options.metrics ? [`--metrics=${options.metrics}`] : []),
    ];
    const child = spawn(ETCD_BIN, args, { stdio: "ignore" });
    running.add(child);
    child.once("exit", () => running.delete(child));
    processes.set(member.name, child);
  };

  const memberNamed = (name: string): TestMember => {
    const member = members.find((candidate) => candidate.name === name);
    if (!member) throw new Error(`no member ${name}`);
    return member;
  };

  const cluster: TestCluster = {
    members,
    endpoints: members.map((member) => member.clientUrl),
    async kill(name, signal = "SIGKILL") {
      const child = processes.get(name);
      if (!child) return;
      processes.delete(name);
      await stopProcess(child, signal);
    },
    async restart(name) {
      const member = memberNamed(name);
      if (processes.has(name)) throw new Error(`member ${name} is still running`);
      launch(member);
      await waitFor(
        async () => (await health(member.clientUrl, options.tls)) !== undefined,
        30_000,
        () => cluster.log(name),
      );
    },
    async waitHealthy(names, timeoutMs = 30_000) {
      const targets = (names ?? [...processes.keys()]).map(memberNamed);
      await waitFor(
        async () =>
          (await Promise.all(targets.map((member) => health(member.clientUrl, options.tls)))).every(
            (s) => s === 200,
          ),
        timeoutMs,
        async () => (await Promise.all(targets.map((member) => cluster.log(member.name)))).join("\n"),
      );
    },
    async log(name) {
      const text = await readFile(memberNamed(name).logFile, "utf8").catch(() => "");
      return `--- ${name} log (tail) ---\n${text.split("\n").slice(-15).join("\n")}`;
    },
    async stop() {
      const children = [...processes.values()];
      processes.clear();
      await Promise.all(children.map((child) => stopProcess(child, "SIGTERM")));
      await rm(root, { recursive: true, force: true });
    },
  };

  for (const member of members) launch(member);
  if (options.waitHealthy ?? true) {
    try {
      await cluster.waitHealthy();
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }
  return cluster;
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Polls `check` every 100 ms until it is true; throws after `timeoutMs` with `describe()` appended. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  describe?: () => Promise<string> | string,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) {
      throw new Error(`condition not met within ${timeoutMs} ms${describe ? `\n${await describe()}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

// --- Internal helpers ---

async function health(clientUrl: string, tls?: ClusterOptions["tls"]): Promise<number | undefined> {
  if (tls) return tlsHealth(clientUrl, tls);
  try {
    const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
    await response.text();
    return response.status;
  } catch {
    return undefined;
  }
}

function tlsHealth(clientUrl: string, tls: NonNullable<ClusterOptions["tls"]>): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = httpsGet(
      `${clientUrl}/health`,
      {
        ca: readFileSync(tls.caFile),
        cert: readFileSync(tls.client.certFile),
        key: readFileSync(tls.client.keyFile),
        timeout: 1000,
      },
      (response) => {
        response.resume();
        response.once("end", () => resolve(response.statusCode));
      },
    );
    request.once("error", () => resolve(undefined));
    request.once("timeout", () => request.destroy());
  });
}

async function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}
