import { createTestCertificates, type TestCertificates } from "@operator/tikv-sim";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  type Environment,
  isUnresolved,
  runCleanups,
  startEnvironment,
  waitForAllPassing,
} from "../src/index.ts";

/**
 * The built daemon against a simulated cluster whose PD serves https and requires a client
 * certificate, configured through the config file's `pd.tls` block.
 */
describe("operator monitor against PD over https with client certificates", () => {
  let env: Environment;
  let certs: TestCertificates;

  beforeAll(async () => {
    certs = createTestCertificates();
    env = await startEnvironment({
      stores: 3,
      tls: { cert: certs.server.cert, key: certs.server.key, ca: certs.ca },
    });
  });
  afterEach(async () => {
    await env.stopMonitors();
    await env.resetFaults();
  });
  afterAll(async () => {
    await runCleanups();
    certs.remove();
  });

  it("with pd.tls every check runs: all passing, and a stopped store opens store_down", async () => {
    expect(env.cluster.pdUrl).toMatch(/^https:/);
    const run = await env.startMonitor({
      subject: "tls-ok",
      subjectOptions: {
        pd: { tls: { caFile: certs.caFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile } },
      },
    });
    await waitForAllPassing(run);
    await env.cluster.stopStore(2);
    await run.waitForTicket(
      (t) => t.key === "tls-ok/store_down/2" && isUnresolved(t),
      "store_down for store 2",
    );
  });

  it("without a client certificate nothing passes: cycles are unknown and subject_unreachable names TLS", async () => {
    const run = await env.startMonitor({
      subject: "tls-missing",
      subjectOptions: { pd: { tls: { caFile: certs.caFile } } },
    });
    const ticket = await run.waitForTicket(
      (t) => t.invariant === "subject_unreachable" && isUnresolved(t),
      "a subject_unreachable ticket",
    );
    expect(ticket.message).toMatch(/TLS: /);
    expect(ticket.message).not.toContain("PRIVATE KEY");
    for (const beat of run.process.heartbeats()) expect(beat.text).not.toMatch(/all passing/);
    expect((await run.tickets()).filter((t) => t.invariant !== "subject_unreachable")).toEqual([]);
  });
});
