import { type SimCluster, startCluster } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";
import { waitFor } from "./helpers/net.ts";

let cluster: SimCluster;
beforeAll(async () => {
  cluster = await startCluster({ stores: 3, timeScale: 10 });
});
afterAll(async () => {
  await cluster?.close();
});

describe("operator check against a simulated TiKV cluster (PD only)", () => {
  it("exits 0 while the cluster is healthy and 1 once a store is down, naming it", async () => {
    const healthy = await runCli(["check", "--no-db", "--pd", cluster.pdUrl, "--name", "sim"]);
    expect(healthy.code, healthy.stdout + healthy.stderr).toBe(0);
    expect(healthy.stdout).toMatch(/^OK {2}\d+ invariants checked in \S+, all passing\n$/);

    cluster.stopStore(2);
    await waitFor(
      () => (cluster.stateName(2) === "Disconnected" ? true : undefined),
      60_000,
      "store 2 Disconnected",
    );
    const down = await runCli(["check", "--no-db", "--json", "--pd", cluster.pdUrl, "--name", "sim"]);
    expect(down.code, down.stderr).toBe(1);
    const report = JSON.parse(down.stdout);
    expect(report.status).toBe("violated");
    expect(report.findings).toContainEqual(
      expect.objectContaining({
        key: "sim/store_down/2",
        outcome: "violated",
        message: expect.stringMatching(/Disconnected/),
      }),
    );
  });
});
