import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Environment,
  type FaultProxy,
  isUnresolved,
  onCleanup,
  runCleanups,
  runOperator,
  showTicket,
  startEnvironment,
  startFaultProxy,
  waitForAllPassing,
} from "../src/index.ts";

/**
 * Faults from PD that a real network produces, put between the real daemon and the simulated PD by a
 * fault proxy: answers that are valid but implausible, too large, hostile, or that leak credentials.
 * Each scenario asserts on what operators see: tickets, their history, the daemon's output.
 */
describe("operator monitor behind a faulty PD", () => {
  let env: Environment;
  let proxy: FaultProxy;

  beforeAll(async () => {
    env = await startEnvironment({ stores: 3 });
  });
  afterEach(async () => {
    await env.stopMonitors();
    await env.resetFaults();
    await proxy?.close();
  });
  afterAll(runCleanups);

  async function startBehindProxy(subject: string, subjectOptions: Record<string, unknown> = {}) {
    proxy = await startFaultProxy(env.cluster.pdUrl);
    const run = await env.startMonitor({
      subject,
      pdUrl: proxy.url,
      settings: { unreachableAfter: UNREACHABLE_AFTER },
      subjectOptions: { timeoutMs: 2000, retries: 0, ...subjectOptions },
      extraArgs: ["--listen", "127.0.0.1:0"],
    });
    await waitForAllPassing(run);
    return run;
  }

  it("an empty store list or another cluster's id leaves store tickets open and opens its own ticket; a store that leaves resolves with the reason", async () => {
    const subject = "implausible";
    const run = await startBehindProxy(subject);
    await env.cluster.stopStore(2);
    const down = await run.waitForTicket(
      (t) => t.key === `${subject}/store_down/2` && isUnresolved(t),
      "a store_down ticket for store 2",
    );

    proxy.setFault({ kind: "empty-stores" });
    const empty = await run.waitForTicket(
      (t) => t.key === `${subject}/subject_unreachable/subject` && isUnresolved(t),
      "a ticket saying PD answered no stores",
    );
    expect(empty.message).toMatch(/no stores|empty/i);
    let tickets = await run.tickets();
    expect(tickets.find((t) => t.id === down.id)?.status).toBe("open");
    expect(tickets.filter((t) => t.status === "resolved" && t.invariant === "store_down")).toEqual([]);

    proxy.setFault(null);
    await run.waitForTicket(
      (t) => t.id === empty.id && t.status === "resolved",
      "the empty-list ticket resolves",
    );

    proxy.setFault({ kind: "cluster-id", id: "4242424242424242424" });
    const changed = await run.waitForTicket(
      (t) => t.key === `${subject}/identity_changed/subject` && isUnresolved(t),
      "an identity_changed ticket",
    );
    expect(changed.message).toContain("4242424242424242424");
    const from = run.process.heartbeats().length;
    await run.process.waitForHeartbeat({ after: from, count: 2 });
    tickets = await run.tickets();
    expect(tickets.find((t) => t.id === down.id)?.status).toBe("open");
    expect(tickets.filter((t) => t.status === "resolved" && t.invariant === "store_down")).toEqual([]);

    // PD of the cluster last seen answers again; then store 2 leaves it: its ticket resolves with why.
    proxy.setFault(null);
    await run.process.waitForHeartbeat({ count: 2 });
    proxy.setFault({ kind: "drop-store", id: 2 });
    const gone = await run.waitForTicket(
      (t) => t.id === down.id && t.status === "resolved",
      "store 2's ticket resolves once PD no longer lists it",
    );
    expect(gone.message).toMatch(/store 2 removed from the cluster/i);
    const shown = await showTicket(run.dbPath, down.id);
    expect(shown.events.at(-1)).toMatchObject({ kind: "resolved", actor: "monitor" });
    expect(shown.events.at(-1)?.comment).toMatch(/store 2 removed from the cluster/i);
  });

  it.each([
    { kind: "huge-body" as const, bytes: 300 * MiB },
    { kind: "gzip-bomb" as const, bytes: 256 * MiB },
  ])(
    "a $kind from PD is cut at the size cap: the daemon stays up, /healthz answers, the reason names the cap",
    async (fault) => {
      const subject = `big-${fault.kind}`;
      const run = await startBehindProxy(subject, { pd: { maxBodyBytes: 4 * MiB } });
      const metricsLine = await run.process.waitForLine(/metrics on (http:\/\/127\.0\.0\.1:\d+)/);
      const base = /metrics on (http:\/\/127\.0\.0\.1:\d+)/.exec(metricsLine.text)?.[1] ?? "";
      proxy.setFault(fault);
      // On a loaded machine a cycle may pass its deadline before the cap: wait for a message naming it.
      const ticket = await run.waitForTicket(
        (t) =>
          t.key === `${subject}/subject_unreachable/subject` &&
          isUnresolved(t) &&
          /exceeds the cap/.test(t.message),
        "a subject_unreachable ticket naming the size cap",
        60_000,
      );
      expect(ticket.message).toMatch(/exceeds the cap of 4 MiB/);
      const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
      expect(health.status).toBe(200);
      expect(run.process.exit).toBeUndefined();
      // Peak resident memory stays far below the body's size.
      const status = await readFile(`/proc/${run.process.pid}/status`, "utf8");
      const peakKiB = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
      expect(peakKiB * 1024).toBeLessThan(Math.min(fault.bytes, 600 * MiB));
    },
  );

  it("credentials in pd.headers reach PD but never the daemon's output, the tickets or the database file", async () => {
    const subject = "secret-headers";
    const run = await startBehindProxy(subject, { pd: { headers: { "x-api-key": SECRET } } });
    proxy.setFault({ kind: "echo-headers" });
    const ticket = await run.waitForTicket(
      (t) => t.key === `${subject}/subject_unreachable/subject` && isUnresolved(t),
      "a subject_unreachable ticket for PD's 401",
    );
    await run.process.waitForHeartbeat({ count: 2 });
    expect(proxy.requests.some((r) => r.headers["x-api-key"] === SECRET)).toBe(true);

    const shown = await runOperator(["tickets", "show", String(ticket.id), "--json", "--db", run.dbPath]);
    const listed = await runOperator(["tickets", "list", "--all", "--db", run.dbPath]);
    await run.stop();
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/401/);
    for (const text of [run.process.transcript(), shown.stdout, listed.stdout, listed.stderr]) {
      expect(text).not.toContain(SECRET);
    }
    for (const file of [run.dbPath, `${run.dbPath}-wal`]) {
      if (existsSync(file)) expect((await readFile(file)).includes(SECRET)).toBe(false);
    }
  });

  it("a redirect to another origin is not followed: the other host gets nothing and the ticket names it", async () => {
    const subject = "redirected";
    const elsewhere = await startRecorder();
    const run = await startBehindProxy(subject, { pd: { headers: { "x-api-key": SECRET } } });
    proxy.setFault({ kind: "redirect", to: elsewhere.url });
    const ticket = await run.waitForTicket(
      (t) => t.key === `${subject}/subject_unreachable/subject` && isUnresolved(t),
      "a subject_unreachable ticket for the cross-origin redirect",
    );
    expect(ticket.message).toContain(elsewhere.url.replace("http://", ""));
    expect(elsewhere.requests).toEqual([]);
  });

  it("control characters from PD never forge a log line or reach the terminal raw", async () => {
    const subject = "hostile-text";
    const run = await startBehindProxy(subject);
    proxy.setFault({ kind: "address", text: HOSTILE });
    await env.cluster.stopStore(2);
    const ticket = await run.waitForTicket(
      (t) => t.key === `${subject}/store_down/2` && isUnresolved(t),
      "a store_down ticket whose message carries the hostile address",
    );
    expect(ticket.message).toContain("\u001b");
    await run.process.waitForHeartbeat({ count: 2 });

    const check = await runOperator(["check", "--pd", proxy.url]);
    const list = await runOperator(["tickets", "list", "--db", run.dbPath]);
    const show = await runOperator(["tickets", "show", String(ticket.id), "--db", run.dbPath]);
    await run.stop();
    for (const line of run.process.output.filter((l) => !l.text.startsWith("(node:"))) {
      expect(line.text).toMatch(LOG_LINE);
      expect(line.text.startsWith(FORGED_TIME)).toBe(false);
      expect(line.text).not.toContain("\u001b");
    }
    expect(run.process.output.some((line) => line.text.includes("\\x1b"))).toBe(true);
    for (const result of [check, list, show]) {
      expect(result.stdout + result.stderr).not.toContain("\u001b");
      expect((result.stdout + result.stderr).split("\n").some((l) => l.startsWith(FORGED_TIME))).toBe(false);
    }
    expect(list.stdout + show.stdout).toContain("\\x1b");
  });
});

const MiB = 1024 * 1024;
const UNREACHABLE_AFTER = 2;
const SECRET = "pd-api-key-7f3a9c1e5b";
const FORGED_TIME = "2020-01-01T00:00:00.000Z";
/** A store address that tries to end the log line and forge a passing heartbeat in red. */
const HOSTILE = `10.0.1.2:20160\n${FORGED_TIME} info  Check complete: 9 invariants, all passing\u001b[31m`;
/** Every line the daemon prints: an ISO time, a level, the message. */
const LOG_LINE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (info|warn|error|debug) /;

/** An HTTP server on a free loopback port that records every request it gets and answers 404. */
async function startRecorder(): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? "");
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}
