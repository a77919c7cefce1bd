import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { ConfigError } from "@operator/core";
import { createTestCertificates, type TestCertificates } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createHttpClient,
  createPrometheusClient,
  type RequestEvent,
  resolveTls,
  type TlsOptions,
  TransportFailure,
} from "../src/index.ts";

/** TLS against a real HTTPS server on 127.0.0.1 that requires a client certificate signed by its CA. */

let certs: TestCertificates;
let server: Server;
let url: string;

beforeAll(async () => {
  certs = createTestCertificates();
  server = createServer(
    {
      key: certs.server.key,
      cert: certs.server.cert,
      ca: certs.ca,
      requestCert: true,
      rejectUnauthorized: true,
    },
    (request, response) => {
      const body =
        request.url?.startsWith("/api/v1/query") === true
          ? '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"a"},"value":[1700000000,"+Inf"]}]}}'
          : '{"ok":true}';
      response.writeHead(200, { "content-type": "application/json" });
      response.end(body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  certs.remove();
});

function client(tls: TlsOptions | undefined, events: RequestEvent[] = []) {
  return createHttpClient({
    source: "test",
    label: "[operator] [test] Server",
    baseUrl: url,
    tls: resolveTls(tls, "tls", "[operator] [test]"),
    timeoutMs: 3000,
    retries: 3,
    onRequest: (event) => events.push(event),
  });
}

async function failureOf(promise: Promise<unknown>): Promise<TransportFailure> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TransportFailure);
  return error as TransportFailure;
}

describe("a server that requires a client certificate", () => {
  it("answers with the CA, the client certificate and its key, given as files or inline", async () => {
    const fromFiles = {
      caFile: certs.caFile,
      certFile: certs.client.certFile,
      keyFile: certs.client.keyFile,
    };
    expect(await client(fromFiles).get("/ok")).toEqual({ status: 200, text: '{"ok":true}' });
    const inline = { ca: certs.ca, cert: certs.client.cert, key: certs.client.key };
    expect(await client(inline).get("/ok")).toEqual({ status: 200, text: '{"ok":true}' });
  });

  it("without a client certificate the request fails, naming TLS and the client certificate", async () => {
    const failure = await failureOf(client({ caFile: certs.caFile }).get("/ok"));
    expect(failure.reason).toBe("unreachable");
    expect(failure.detail).toMatch(/^TLS: .*client certificate.*tls\.cert.*tls\.key/);
  });

  it("a client certificate from another CA is refused, naming TLS", async () => {
    const other = {
      caFile: certs.caFile,
      certFile: certs.otherClient.certFile,
      keyFile: certs.otherClient.keyFile,
    };
    const failure = await failureOf(client(other).get("/ok"));
    expect(failure.detail).toMatch(/^TLS: /);
  });

  it("a server certificate from an untrusted CA is refused with a hint to set tls.ca", async () => {
    const wrongCa = {
      caFile: certs.otherCaFile,
      certFile: certs.client.certFile,
      keyFile: certs.client.keyFile,
    };
    const events: RequestEvent[] = [];
    const failure = await failureOf(client(wrongCa, events).get("/ok"));
    expect(failure.detail).toMatch(
      /^TLS: the server's certificate (is not signed by a trusted CA|chain ends in an untrusted CA); set tls\.ca/,
    );
    expect(events).toHaveLength(1);
    const systemCas = await failureOf(client(undefined).get("/ok"));
    expect(systemCas.detail).toMatch(/^TLS: /);
  });

  it("serverName is the name checked against the server's certificate", async () => {
    const base = { caFile: certs.caFile, certFile: certs.client.certFile, keyFile: certs.client.keyFile };
    expect((await client({ ...base, serverName: "localhost" }).get("/ok")).status).toBe(200);
    const wrong = await failureOf(client({ ...base, serverName: "pd.example.org" }).get("/ok"));
    expect(wrong.detail).toMatch(/^TLS: the server's certificate does not name this host/);
  });

  it("the Prometheus client queries over TLS with a client certificate", async () => {
    const tls = resolveTls({ ca: certs.ca, cert: certs.client.cert, key: certs.client.key }, "tls", "[t]");
    const result = await createPrometheusClient({ url, tls }).query("up");
    expect(result.samples).toEqual([
      { labels: { instance: "a" }, value: Number.POSITIVE_INFINITY, timestamp: 1.7e12 },
    ]);
  });

  it("no failure message carries key material", async () => {
    const messages = await Promise.all([
      client({ caFile: certs.caFile })
        .get("/ok")
        .catch((error: Error) => error.message),
      client({ caFile: certs.otherCaFile, cert: certs.client.cert, key: certs.client.key })
        .get("/ok")
        .catch((error: Error) => error.message),
    ]);
    for (const message of messages) {
      expect(message).not.toContain("PRIVATE KEY");
      expect(message).not.toContain(certs.client.key.split("\n")[1]);
    }
  });
});

describe("resolveTls", () => {
  const prefix = "[operator] [test]";
  const configError = (input: TlsOptions) => {
    try {
      resolveTls(input, "pd.tls", prefix);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error("expected a ConfigError");
  };

  it.each([
    [
      { caFile: "/nonexistent/ca.pem" },
      /Option `pd\.tls\.caFile`: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
    ],
    [{ ca: "not a pem" }, /Option `pd\.tls`: `ca` is not a PEM certificate/],
    [{ ca: "x", caFile: "/y" }, /set either `ca` or `caFile`, not both/],
  ])("refuses %j with one message naming the option", (input, message) => {
    expect(configError(input)).toMatch(message);
  });

  it("refuses a certificate without its key, and a key that belongs to another certificate", () => {
    expect(configError({ cert: certs.client.cert })).toMatch(/needs both `cert` \(or `certFile`\) and `key`/);
    const mismatch = configError({ cert: certs.client.cert, key: certs.otherClient.key });
    expect(mismatch).toMatch(/the key does not belong to the certificate/);
    expect(mismatch).not.toContain("PRIVATE KEY");
  });

  it("refuses a key that is not PEM without quoting it", () => {
    const message = configError({ cert: certs.client.cert, key: "s3cret-not-a-key" });
    expect(message).toMatch(/the key is not a PEM private key/);
    expect(message).not.toContain("s3cret");
  });

  it("reads the key from $env and keeps it out of JSON, strings and inspect", () => {
    const tls = resolveTls(
      { ca: certs.ca, cert: certs.client.cert, key: { $env: "TEST_TLS_KEY" } },
      "pd.tls",
      prefix,
      { TEST_TLS_KEY: certs.client.key },
    );
    expect(tls?.key).toBe(certs.client.key);
    for (const text of [JSON.stringify(tls), String(tls), inspect(tls)]) {
      expect(text).not.toContain("PRIVATE KEY");
      expect(text).toContain("[redacted]");
    }
  });
});
