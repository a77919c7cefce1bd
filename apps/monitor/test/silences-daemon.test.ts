import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, runCli, startCli } from "./helpers/cli.ts";
import { installFakePlugin, setOutcome } from "./helpers/fake-plugin.ts";
import { waitFor } from "./helpers/net.ts";
import { startWebhookReceiver, type WebhookReceiver } from "./helpers/receiver.ts";

const PLUGIN = "@example/fake-subject";
let dir: string;
const running: CliProcess[] = [];
const receivers: WebhookReceiver[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-silences-daemon-"));
  await installFakePlugin(dir);
});
afterEach(async () => {
  for (const proc of running.splice(0)) proc.child.kill("SIGKILL");
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A daemon on fake subject `s` (outcome read from a file, starting `ok`) notifying a local webhook. */
async function daemon(name: string) {
  const hook = await startWebhookReceiver();
  receivers.push(hook);
  const config = join(dir, `${name}.json`);
  const db = join(dir, `${name}.db`);
  const outcomeFile = join(dir, `${name}.outcome`);
  await setOutcome(outcomeFile, "ok");
  await writeFile(
    config,
    JSON.stringify({
      pluginDir: ".",
      db,
      interval: "300ms",
      notify: [{ type: "webhook", url: hook.url }],
      subjects: [[PLUGIN, { name: "s", outcomeFile }]],
    }),
  );
  const proc = startCli(["monitor", "--config", config], { cwd: dir });
  running.push(proc);
  await proc.waitForLine(/Monitor loop started: .*notifying webhook/);
  const cli = async (...args: string[]) => {
    const result = await runCli([...args, "--db", db], { cwd: dir, env: { USER: "alice" } });
    expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
    return result.stdout;
  };
  const ticket = async () => {
    const [found] = JSON.parse(await cli("tickets", "list", "--all", "--json")) as {
      id: number;
      status: string;
      silenced: boolean;
    }[];
    return found;
  };
  const kinds = async (id: number) =>
    (JSON.parse(await cli("tickets", "show", String(id), "--json")).events as { kind: string }[]).map(
      (e) => e.kind,
    );
  const accepted = () => hook.requests.filter((q) => q.accepted).map((q) => q.event);
  /** Waits for `n` more heartbeats: cycles that ran (and the dispatcher with them). */
  const cycles = async (n: number) => {
    const count = () => proc.transcript().match(/Check complete: /g)?.length ?? 0;
    const target = count() + n;
    await waitFor(() => (count() >= target ? true : undefined), 30_000, `${n} more cycles`);
  };
  return { proc, cli, ticket, kinds, accepted, outcome: (v: string) => setOutcome(outcomeFile, v), cycles };
}

describe("the daemon with a silence", () => {
  it("withholds a silenced ticket's notifications and notifies it once when the silence is expired", async () => {
    const d = await daemon("expire");
    const id = (
      await d.cli("silences", "add", "--match", "entity=~e[0-9]+", "--for", "1h", "--comment", "upgrade")
    ).trim();
    await d.outcome("violated");
    const silenced = await waitFor(
      async () => ((await d.ticket())?.silenced ? await d.ticket() : undefined),
      30_000,
      "silenced ticket",
    );
    expect(silenced?.status).toBe("open");
    expect(JSON.parse(await d.cli("tickets", "list", "--silenced", "--json"))).toHaveLength(1);
    await d.cycles(5);
    expect(d.accepted()).toEqual([]);

    await d.cli("silences", "expire", id, "--by", "bob");
    await waitFor(
      () => (d.accepted().includes("unsilenced") ? true : undefined),
      30_000,
      "unsilenced delivered",
    );
    await d.cycles(5);
    expect(d.accepted()).toEqual(["unsilenced"]);
    const open = await d.ticket();
    expect(open?.silenced).toBe(false);
    expect(await d.kinds(open?.id ?? 0)).toEqual(["opened", "silenced", "unsilenced"]);

    await d.outcome("ok");
    await waitFor(() => (d.accepted().includes("resolved") ? true : undefined), 30_000, "resolved delivered");
    expect(d.accepted()).toEqual(["unsilenced", "resolved"]);
  });

  it("sends nothing for a ticket that opened and resolved under a silence", async () => {
    const d = await daemon("whole");
    await d.cli("silences", "add", "--match", "subject=s", "--for", "1h", "--comment", "upgrade");
    await d.outcome("violated");
    await waitFor(async () => ((await d.ticket())?.silenced ? true : undefined), 30_000, "silenced ticket");
    await d.outcome("ok");
    await waitFor(
      async () => ((await d.ticket())?.status === "resolved" ? true : undefined),
      30_000,
      "resolved",
    );
    await d.cycles(5);
    expect(d.accepted()).toEqual([]);
    const resolved = await d.ticket();
    expect(resolved?.silenced).toBe(true);
    expect(await d.kinds(resolved?.id ?? 0)).toEqual(["opened", "silenced", "resolved"]);
    const [channel] = JSON.parse(await d.cli("notifications", "status", "--json"));
    expect(channel).toMatchObject({ channel: "webhook", pending: 0, failed: 0 });
  });
});
