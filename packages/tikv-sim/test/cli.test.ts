import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoScenario, runScenario, type SimCluster, startCluster } from "../src/index.ts";
import { freePort } from "../src/prometheus/free-port.ts";

const CLI = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const NODE_ARGS = ["--import", "tsx", "--conditions=@operator/source", CLI];

/** Runs the CLI to completion. */
function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...NODE_ARGS, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d));
    child.stderr.on("data", (d: Buffer) => (stderr += d));
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("tikv-sim start / fault / state", { timeout: 60_000 }, () => {
  let sim: ChildProcess;
  let output = "";
  let pdUrl = "";
  let controlUrl = "";

  beforeAll(async () => {
    sim = spawn(process.execPath, [...NODE_ARGS, "start", "--stores", "3", "--time-scale", "20"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    sim.stdout?.on("data", (d: Buffer) => (output += d));
    sim.stderr?.on("data", (d: Buffer) => (output += d));
    const deadline = Date.now() + 30_000;
    while (!output.includes("Ctrl-C stops")) {
      if (Date.now() > deadline || sim.exitCode !== null)
        throw new Error(`simulator did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    pdUrl = /PD: +(\S+)/.exec(output)?.[1] as string;
    controlUrl = /Control: +(\S+)/.exec(output)?.[1] as string;
  }, 60_000);

  afterAll(() => {
    if (sim.exitCode === null) sim.kill("SIGKILL");
  });

  it("prints the PD and control URLs of a running simulator", async () => {
    expect(pdUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const stores = (await (await fetch(`${pdUrl}/pd/api/v1/stores`)).json()) as { count: number };
    expect(stores.count).toBe(3);
  });

  it("stops a store through `fault`, which PD then reports Disconnected", async () => {
    const result = await run(["fault", controlUrl, "stop-store", "2"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, applied: { fault: "stop-store", store: 2 } });
    await expect
      .poll(
        async () =>
          ((await (await fetch(`${pdUrl}/pd/api/v1/store/2`)).json()) as { store: { state_name: string } })
            .store.state_name,
        {
          timeout: 15_000,
        },
      )
      .toBe("Disconnected");
    const state = await run(["state", controlUrl]);
    expect(JSON.parse(state.stdout).stores[1]).toMatchObject({
      id: 2,
      running: false,
      stateName: "Disconnected",
    });
  });

  it("refuses an unknown store or fault with exit code 2 and one clear message", async () => {
    const store = await run(["fault", controlUrl, "slow-store", "99", "0.5"]);
    expect(store.code).toBe(2);
    expect(JSON.parse(store.stdout).error).toMatch(/No simulated store with id 99/);
    const unknown = await run(["fault", controlUrl, "melt-store", "1"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown fault "melt-store"/);
    const ratio = await run(["fault", controlUrl, "fill-disk", "1", "1.5"]);
    expect(ratio.code).toBe(2);
    expect(ratio.stderr).toMatch(/`usedRatio` must be a number from 0 to 1, got 1.5/);
  });

  it("exits 0 on SIGINT after closing everything", async () => {
    const exited = new Promise<number | null>((resolve) => sim.once("exit", (code) => resolve(code)));
    sim.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("Simulator stopped");
    await expect(fetch(`${pdUrl}/pd/api/v1/stores`)).rejects.toThrow();
  });
});

describe("tikv-sim usage errors", { timeout: 30_000 }, () => {
  it("exits 2 with the usage on a bad flag", async () => {
    const result = await run(["start", "--stores", "three"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--stores must be a whole number, got "three"/);
    expect(result.stderr).toContain("Usage:");
  });

  it("exits 1 naming the URL when the control API is unreachable", async () => {
    const port = await freePort();
    const result = await run(["fault", `http://127.0.0.1:${port}`, "stop-store", "1"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `Cannot reach the simulator's control API at http://127.0.0.1:${port}: ECONNREFUSED`,
    );
  });
});

describe("runScenario and the control endpoint", () => {
  let cluster: SimCluster;
  const storeRunning = async (id: number): Promise<boolean> => {
    const state = (await (await fetch(`${cluster.controlUrl}/sim/state`)).json()) as {
      stores: { id: number; running: boolean }[];
    };
    return state.stores.find((s) => s.id === id)?.running === true;
  };
  beforeAll(async () => {
    cluster = await startCluster({ stores: 3 });
  });
  afterAll(async () => {
    await cluster.close();
  });

  it("applies the demo's steps in order, logging each (times compressed)", async () => {
    const lines: string[] = [];
    const fast = demoScenario.map((step) => ({ ...step, atMs: step.atMs / 100 }));
    expect(demoScenario.map((s) => s.command)).toEqual([
      { fault: "stop-store", store: 2 },
      { fault: "start-store", store: 2 },
    ]);
    const running: boolean[] = [];
    const observed = {
      apply: async (command: Parameters<SimCluster["apply"]>[0]): Promise<void> => {
        await cluster.apply(command);
        running.push(await storeRunning(2));
      },
    };
    await runScenario(observed, fast, (line) => lines.push(line));
    expect(running).toEqual([false, true]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[tikv-sim\] 00:00 store 2 stops/);
  });

  it("control endpoint answers a malformed command with 400 and the reason", async () => {
    const post = (body: string) => fetch(`${cluster.controlUrl}/sim/faults`, { method: "POST", body });
    const bad = await post("{not json");
    expect(bad.status).toBe(400);
    const missing = await post(JSON.stringify({ fault: "write-stall", store: 1 }));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toMatch(
      /write-stall needs `on` true or false/,
    );
    expect(await storeRunning(1)).toBe(true);
  });

  it("stops early when aborted", async () => {
    const applied: string[] = [];
    const controller = new AbortController();
    const run = runScenario({ apply: async (c) => void applied.push(c.fault) }, demoScenario, undefined, {
      signal: controller.signal,
    });
    controller.abort();
    await run;
    expect(applied).toEqual([]);
  });
});

describe("tikv-sim start --prometheus", { timeout: 90_000 }, () => {
  it("starts a Prometheus that already scrapes every store when the URLs are printed", async () => {
    const sim = spawn(process.execPath, [...NODE_ARGS, "start", "--stores", "2", "--prometheus"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    sim.stdout.on("data", (d: Buffer) => (output += d));
    sim.stderr.on("data", (d: Buffer) => (output += d));
    try {
      await expect.poll(() => output, { timeout: 80_000, interval: 200 }).toContain("Ctrl-C stops");
      expect(output).toContain("Prometheus:  every store scraped");
      const url = /Prometheus: +(http\S+)/.exec(output)?.[1] as string;
      const body = (await (
        await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(up{job="tikv"} == 1)')}`)
      ).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      expect(body.data.result[0]?.value[1]).toBe("2");
      const pd = (await (
        await fetch(`${url}/api/v1/query?query=${encodeURIComponent('count(up{job="pd"} == 1)')}`)
      ).json()) as { data: { result: { value: [number, string] }[] } };
      expect(pd.data.result[0]?.value[1], "the three PD members are scraped too").toBe("3");
      const exited = new Promise<number | null>((resolve) => sim.once("exit", (code) => resolve(code)));
      sim.kill("SIGTERM");
      expect(await exited).toBe(0);
      await expect(fetch(`${url}/-/ready`)).rejects.toThrow();
    } finally {
      if (sim.exitCode === null) sim.kill("SIGKILL");
    }
  });
});
