import { ObservationError } from "@operator/core";
import { createHttpClient, resolveTls } from "@operator/subject-kit";
import { createTestCertificates, type TestCertificates } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import etcd, { type EtcdOptions } from "../src/index.ts";
import { startCluster, type TestCluster } from "./helpers/etcd-cluster.ts";
import { context, evaluateAll } from "./helpers/evaluate.ts";

/**
 * A real etcd started with `--client-cert-auth --trusted-ca-file --cert-file --key-file`, with
 * certificates this test generates: without the right certificate nothing is judged, with it every
 * check runs.
 */

let certs: TestCertificates;
let cluster: TestCluster;

beforeAll(async () => {
  certs = createTestCertificates();
  cluster = await startCluster({
    size: 1,
    tls: {
      caFile: certs.caFile,
      certFile: certs.server.certFile,
      keyFile: certs.server.keyFile,
      client: { certFile: certs.client.certFile, keyFile: certs.client.keyFile },
    },
  });
}, 60_000);

afterAll(async () => {
  await cluster?.stop();
  certs?.remove();
});

function subject(tls: EtcdOptions["tls"]) {
  return etcd({
    name: "secure",
    endpoints: [...cluster.endpoints],
    timeoutMs: 2000,
    ...(tls ? { tls } : {}),
  });
}

async function refusal(tls: EtcdOptions["tls"]): Promise<ObservationError> {
  const error = await subject(tls)
    .observe(context())
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );
  expect(error).toBeInstanceOf(ObservationError);
  return error as ObservationError;
}

/** Writes keys through the gateway with the client certificate, so the latency histograms move. */
async function putKeys(count: number): Promise<void> {
  const tls = resolveTls(
    { caFile: certs.caFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile },
    "tls",
    "[test]",
  );
  const client = createHttpClient({
    source: "etcd",
    label: "[test]",
    baseUrl: cluster.endpoints[0] as string,
    tls,
  });
  for (let index = 0; index < count; index++) {
    const b64 = (text: string) => Buffer.from(text).toString("base64");
    const response = await client.post("/v3/kv/put", { key: b64(`k${index}`), value: b64(`v${index}`) });
    expect(response.status).toBe(200);
  }
}

/** Invariants one fresh single member with basic metrics cannot judge yet (see the package README). */
const NEEDS_HISTORY_OR_PEERS = new Set(["db_growth", "grpc_latency", "peer_round_trip"]);

describe("etcd with --client-cert-auth", () => {
  it("with the CA, the client certificate and its key, every check runs", async () => {
    const built = subject({
      caFile: certs.caFile,
      certFile: certs.client.certFile,
      keyFile: certs.client.keyFile,
    });
    await built.observe(context());
    await putKeys(20);
    const observation = await built.observe(context());
    expect(observation.members[0]).toMatchObject({ reachable: true, errors: {}, entity: "n1" });
    expect(observation.cluster).toMatchObject({ members: [{ name: "n1" }] });
    const results = evaluateAll(built, observation);
    for (const [name, outcome] of Object.entries(results)) {
      expect(typeof outcome, `${name}: ${String(outcome)}`).not.toBe("string");
      for (const result of outcome as readonly { outcome: string; reason?: string }[]) {
        // These need what one fresh member cannot give (30 min of samples, peers, extensive metrics);
        // over TLS they are judged like the rest, and never unknown because of TLS.
        if (NEEDS_HISTORY_OR_PEERS.has(name) && result.outcome === "unknown") {
          expect(result.reason, name).not.toMatch(/TLS|certificate/i);
          continue;
        }
        expect(result.outcome, `${name}: ${result.reason ?? ""}`).toBe("ok");
      }
    }
  });

  it("without a client certificate nothing is judged, and the reason names TLS", async () => {
    const error = await refusal({ caFile: certs.caFile });
    expect(error.reason).toBe("unreachable");
    expect(error.message).toMatch(/No member of "secure" answered .*TLS: .*client certificate/);
  });

  it("with a client certificate from another CA nothing is judged, and the reason names TLS", async () => {
    const error = await refusal({
      caFile: certs.caFile,
      certFile: certs.otherClient.certFile,
      keyFile: certs.otherClient.keyFile,
    });
    expect(error.message).toMatch(/TLS: /);
  });

  it("trusting another CA nothing is judged, and the reason says to set tls.ca", async () => {
    const error = await refusal({
      caFile: certs.otherCaFile,
      certFile: certs.client.certFile,
      keyFile: certs.client.keyFile,
    });
    expect(error.message).toMatch(/TLS: the server's certificate .* set tls\.ca/);
    expect(error.message).not.toContain("PRIVATE KEY");
  });

  it("tls with an http:// endpoint is a configuration error", () => {
    expect(() =>
      etcd({ name: "x", endpoints: ["http://127.0.0.1:2379"], tls: { caFile: certs.caFile } }),
    ).toThrow(/Option `tls` is set but `endpoints\[0\]` is not an https:\/\/ URL/);
  });
});
