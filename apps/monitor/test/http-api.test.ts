import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectSse, type SseConnection } from "@operator/http/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin, setOutcome } from "./helpers/fake-plugin.ts";
import { waitFor } from "./helpers/net.ts";

const HEARTBEAT = /Check complete: /;
const TOKEN = "daemon-token-7f3a9c2e1b";
const FILE_TOKEN = "carol-token-5d8e0a4b6c";
let dir: string;
const running: CliProcess[] = [];
const streams: SseConnection[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-http-"));
  await installFakePlugin(dir);
});
afterEach(() => {
  for (const sse of streams.splice(0)) sse.close();
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}): CliProcess {
  const proc = startCli(args, { env });
  running.push(proc);
  return proc;
}

function heartbeatCount(proc: CliProcess): number {
  return proc.stderr.filter((l) => HEARTBEAT.test(l)).length;
}

async function fakeConfig(name: string, subject: Record<string, unknown>): Promise<string> {
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({ pluginDir: ".", subjects: [["@example/fake-subject", { name: "fake", ...subject }]] }),
  );
  return path;
}

/** Starts the daemon with --listen on a free port; resolves with it and the base URL it logged. */
async function daemon(
  name: string,
  subject: Record<string, unknown>,
  extra: string[] = [],
  interval = "500ms",
) {
  const proc = start(
    [
      "monitor",
      "--config",
      await fakeConfig(name, subject),
      "--interval",
      interval,
      "--db",
      join(dir, `${name}.db`),
      "--listen",
      "127.0.0.1:0",
      ...extra,
    ],
    { OPERATOR_API_TOKEN: TOKEN },
  );
  const started = await proc.waitForLine(/Monitor loop started/);
  const base = /API on (https?:\/\/\S+)\/api\/v1/.exec(started)?.[1];
  expect(base, started).toBeDefined();
  return { proc, base: base as string, db: join(dir, `${name}.db`) };
}

describe("operator monitor --listen: the HTTP API", () => {
  it("streams a ticket the daemon opens within one cycle of its commit, and takes actions with a token", async () => {
    const outcomeFile = join(dir, "stream-outcome.txt");
    await setOutcome(outcomeFile, "ok");
    const { proc, base, db } = await daemon("stream", { outcomeFile }, [], "1s");
    await waitFor(() => (heartbeatCount(proc) >= 1 ? true : undefined), 30_000, "a first heartbeat");
    const sse = await connectSse(`${base}/api/v1/events`);
    streams.push(sse);
    expect(sse.status).toBe(200);
    let cyclesAtReceipt = -1;
    const received = sse.waitFor(1, 30_000).then((events) => {
      cyclesAtReceipt = heartbeatCount(proc);
      return events;
    });
    await setOutcome(outcomeFile, "violated");
    const [event] = await received;
    const item = JSON.parse(event?.data ?? "");
    expect(item).toMatchObject({
      event: { kind: "opened", actor: "monitor" },
      ticket: { key: "fake/probe/e1", status: "open", severity: "warning" },
    });
    // The cycle that committed the ticket printed "(1 new"; at most one more cycle ran before the
    // event reached the client.
    await waitFor(
      () => proc.stderr.some((l) => /1 new/.test(l)) || undefined,
      30_000,
      "the opening heartbeat",
    );
    const openingCycle = proc.stderr.filter((l) => HEARTBEAT.test(l)).findIndex((l) => /1 new/.test(l)) + 1;
    expect(cyclesAtReceipt - openingCycle).toBeLessThanOrEqual(1);

    const id = item.ticket.id as number;
    const refused = await fetch(`${base}/api/v1/tickets/${id}/ack`, { method: "POST" });
    expect(refused.status).toBe(401);
    const ack = await fetch(`${base}/api/v1/tickets/${id}/ack`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ comment: "on it" }),
    });
    expect(ack.status).toBe(200);
    expect(await ack.json()).toMatchObject({ id, status: "acknowledged", acknowledgedBy: "api" });
    const [, acked] = await sse.waitFor(2, 30_000);
    expect(JSON.parse(acked?.data ?? "")).toMatchObject({
      event: { kind: "acknowledged", comment: "on it" },
    });

    // The same JSON as the CLI prints, but for what each cycle's recurrence moves in between.
    const steady = (value: unknown) =>
      JSON.parse(JSON.stringify(value), (key, v) =>
        key === "lastSeenAt" || key === "updatedAt" || key === "occurrenceCount" ? undefined : v,
      );
    const list = (await (await fetch(`${base}/api/v1/tickets`)).json()) as { tickets: unknown[] };
    const cli = await runCli(["tickets", "list", "--json", "--db", db]);
    expect(steady(list.tickets)).toEqual(steady(JSON.parse(cli.stdout)));
    const detail = await (await fetch(`${base}/api/v1/tickets/${id}`)).json();
    const shown = await runCli(["tickets", "show", String(id), "--json", "--db", db]);
    expect(steady(detail)).toEqual(steady(JSON.parse(shown.stdout)));

    const status = (await (await fetch(`${base}/api/v1/status`)).json()) as {
      subjects: { name: string; kind: string; lastCycleAt: number; nextCycleAt: number }[];
      counts: { byStatus: Record<string, number>; bySeverity: Record<string, number> };
    };
    expect(status.subjects).toMatchObject([{ name: "fake", kind: "fake", unknown: [] }]);
    const [subject] = status.subjects;
    expect(subject?.nextCycleAt).toBeGreaterThan(subject?.lastCycleAt ?? Number.POSITIVE_INFINITY);
    expect(status.counts.byStatus).toMatchObject({ acknowledged: 1 });
    expect(status.counts.bySeverity).toMatchObject({ warning: 1, critical: 0 });
    // /metrics and /healthz are still there.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(proc.transcript()).not.toContain(TOKEN);
    proc.child.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  });

  it("shows the last cycle's unknown results in /status", async () => {
    const { proc, base } = await daemon("unknowns", {
      outcome: "unknown",
      reason: "probe unreadable",
      entities: 2,
    });
    await waitFor(() => (heartbeatCount(proc) >= 1 ? true : undefined), 30_000, "a heartbeat");
    const status = (await (await fetch(`${base}/api/v1/status`)).json()) as { subjects: unknown[] };
    expect(status.subjects).toMatchObject([
      {
        name: "fake",
        unknown: [
          { key: "fake/probe/e1", reason: "probe unreadable" },
          { key: "fake/probe/e2", reason: "probe unreadable" },
        ],
      },
    ]);
  });

  it("keeps its cycle interval with 200 event-stream clients connected, and every client gets the event", async () => {
    const outcomeFile = join(dir, "crowd-outcome.txt");
    await setOutcome(outcomeFile, "ok");
    const { proc, base } = await daemon("crowd", { outcomeFile }, [], "500ms");
    const clients = await Promise.all(Array.from({ length: 200 }, () => connectSse(`${base}/api/v1/events`)));
    streams.push(...clients);
    expect(clients.every((c) => c.status === 200)).toBe(true);
    const before = heartbeatCount(proc);
    const windowStart = performance.now();
    await setOutcome(outcomeFile, "violated");
    await Promise.all(clients.map((c) => c.waitFor(1, 30_000)));
    for (const c of clients) expect(JSON.parse(c.events[0]?.data ?? "").ticket.key).toBe("fake/probe/e1");
    await new Promise((resolve) => setTimeout(resolve, 5000 - (performance.now() - windowStart)));
    const elapsed = performance.now() - windowStart;
    const cycles = heartbeatCount(proc) - before;
    // Cycles start every 500 ms whatever the clients do: the count over the window is what the
    // interval says, within one (and half a cycle for the heartbeat lines' trip through the pipe).
    expect(Math.abs(cycles - elapsed / 500), proc.transcript()).toBeLessThanOrEqual(1.5);
    expect(proc.stderr.join("\n")).not.toMatch(/missed/);
  });

  it("serves HTTPS with --tls-cert and --tls-key", async () => {
    const cert = join(dir, "cert.pem");
    const key = join(dir, "key.pem");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"].concat([
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        key,
        "-out",
        cert,
      ]),
      { stdio: "ignore" },
    );
    const { base } = await daemon("tls", { outcome: "violated" }, ["--tls-cert", cert, "--tls-key", key]);
    expect(base).toMatch(/^https:/);
    const body = await new Promise<string>((resolve, reject) => {
      httpsRequest(`${base}/api/v1/status`, { ca: readFileSync(cert) }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve(text));
      })
        .on("error", reject)
        .end();
    });
    expect(JSON.parse(body)).toMatchObject({ subjects: [{ name: "fake" }] });
  });
});

describe("operator serve", () => {
  it("serves the API over a database the daemon writes, without running cycles", async () => {
    const outcomeFile = join(dir, "serve-outcome.txt");
    await setOutcome(outcomeFile, "violated");
    const db = join(dir, "serve.db");
    const monitor = start([
      "monitor",
      "--config",
      await fakeConfig("serve", { outcomeFile }),
      "--interval",
      "500ms",
      "--db",
      db,
    ]);
    await waitFor(() => (heartbeatCount(monitor) >= 1 ? true : undefined), 30_000, "a heartbeat");
    const tokens = join(dir, "tokens");
    await writeFile(tokens, `# people\ncarol:${FILE_TOKEN}\n`);
    const serve = start(["serve", "--db", db, "--listen", "127.0.0.1:0", "--api-tokens-file", tokens]);
    const line = await serve.waitForLine(/Serving the HTTP API on/);
    const base = /on (http:\/\/\S+)\/api\/v1/.exec(line)?.[1] as string;
    const sse = await connectSse(`${base}/api/v1/events?lastEventId=0`);
    streams.push(sse);
    const [opened] = await sse.waitFor(1);
    const ticket = JSON.parse(opened?.data ?? "").ticket;
    expect(ticket).toMatchObject({ key: "fake/probe/e1", status: "open" });

    const ack = await fetch(`${base}/api/v1/tickets/${ticket.id}/hold`, {
      method: "POST",
      headers: { authorization: `Bearer ${FILE_TOKEN}` },
    });
    expect(ack.status).toBe(200);
    const shown = JSON.parse(
      (await runCli(["tickets", "show", String(ticket.id), "--json", "--db", db])).stdout,
    );
    expect(shown.events.at(-1)).toMatchObject({ kind: "held", actor: "carol" });
    // The daemon's cycles go on and reach serve's stream; the hold keeps the ticket open through ok.
    await setOutcome(outcomeFile, "ok");
    const status = await waitFor(async () => {
      const body = (await (await fetch(`${base}/api/v1/status`)).json()) as {
        subjects: { name: string; kind: null; lastCycleAt: number | null; nextCycleAt: null }[];
        counts: { byStatus: Record<string, number> };
      };
      return body.subjects[0]?.lastCycleAt ? body : undefined;
    });
    expect(status.subjects).toMatchObject([{ name: "fake", kind: null, nextCycleAt: null, unknown: [] }]);
    expect(status.counts.byStatus).toMatchObject({ open: 1 });
    expect(heartbeatCount(serve)).toBe(0);
    expect(serve.transcript()).not.toContain(FILE_TOKEN);
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    expect(serve.stderr.at(-1)).toMatch(/HTTP API stopped$/);
  });

  it("with --api-auth all, needs a token for reads too", async () => {
    const serve = start(
      ["serve", "--db", join(dir, "serve.db"), "--listen", "127.0.0.1:0", "--api-auth", "all"],
      {
        OPERATOR_API_TOKEN: TOKEN,
      },
    );
    const line = await serve.waitForLine(/Serving the HTTP API on/);
    const base = /on (http:\/\/\S+)\/api\/v1/.exec(line)?.[1] as string;
    for (const path of ["tickets", "status", "events", "tickets/1"]) {
      expect((await fetch(`${base}/api/v1/${path}`)).status, path).toBe(401);
    }
    const ok = await fetch(`${base}/api/v1/tickets?status=all`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as { tickets: unknown[] }).tickets.length).toBeGreaterThan(0);
    expect(serve.transcript()).not.toContain(TOKEN);
  });

  it("refuses settings that cannot work with one clear line, never printing a token", async () => {
    const db = join(dir, "serve.db");
    const badTokens = join(dir, "bad-tokens");
    await writeFile(badTokens, `alice:short\n`);
    const cases: [string[], Record<string, string>, number, RegExp][] = [
      [
        ["serve", "--db", db, "--api-auth", "all"],
        {},
        2,
        /--api-auth all needs a token: set OPERATOR_API_TOKEN/,
      ],
      [["serve", "--db", db, "--tls-cert", "x.pem"], {}, 2, /--tls-cert and --tls-key go together/],
      [
        ["serve", "--db", db, "--api-tokens-file", badTokens],
        {},
        2,
        /token 1 \("alice"\): a token needs at least 16/,
      ],
      [
        ["serve", "--db", db, "--api-tokens-file", join(dir, "none")],
        {},
        2,
        /--api-tokens-file .* cannot be read: ENOENT/,
      ],
      [["serve", "--db", db, "--listen", "nowhere"], {}, 2, /invalid --listen "nowhere"/i],
      [["serve", "--db", join(dir, "missing.db")], {}, 4, /does not exist/],
      [["serve", "--db", db], { OPERATOR_API_TOKEN: "tiny" }, 2, /a token needs at least 16/],
    ];
    for (const [args, env, code, message] of cases) {
      const result = await runCli(args, { env });
      expect(result.code, `${args.join(" ")}\n${result.stderr}`).toBe(code);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toContain("short");
      expect(result.stderr).not.toContain("tiny");
    }
  });
});
