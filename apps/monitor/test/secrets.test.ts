import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type SimCluster, startCluster } from "@operator/tikv-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.ts";

const TOKEN = "tok-9f8e7d6c5b4a-expected";
const WRONG = "tok-0a1b2c3d4e5f-wrong";
const PASSWORD = "pw-correct-horse-battery";

let dir: string;
let cluster: SimCluster;
let prometheus: Server;
let prometheusUrl: string;
const seen: IncomingHttpHeaders[] = [];

/**
 * A stand-in Prometheus that answers queries only with the expected credentials; otherwise it answers
 * 401 with a body that echoes the Authorization header it got, the way some proxies do, so a leak
 * through an error message would show up in operator's output.
 */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-secrets-"));
  cluster = await startCluster({ stores: 3 });
  prometheus = createServer((req, res) => {
    seen.push(req.headers);
    const auth = req.headers.authorization ?? "";
    const basic = `Basic ${Buffer.from(`operator:${PASSWORD}`).toString("base64")}`;
    if (auth !== `Bearer ${TOKEN}` && auth !== basic) {
      res.writeHead(401, { "content-type": "application/json" });
      res.end(
        JSON.stringify({
          status: "error",
          errorType: "unauthorized",
          error: `rejected credentials: ${auth}`,
        }),
      );
      return;
    }
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
  });
  await new Promise<void>((resolve) => prometheus.listen(0, "127.0.0.1", resolve));
  prometheusUrl = `http://127.0.0.1:${(prometheus.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await cluster?.close();
  await new Promise((resolve) => prometheus?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const check = (args: string[], env: Record<string, string>) =>
  runCli(["check", "--no-db", "--verbose", "--log-format", "json", ...args], { env });

describe("Prometheus credentials", () => {
  it("sends PROMETHEUS_BEARER_TOKEN to Prometheus and never prints it", async () => {
    seen.length = 0;
    const result = await check(["--pd", cluster.pdUrl, "--prometheus", prometheusUrl, "--json"], {
      PROMETHEUS_BEARER_TOKEN: TOKEN,
    });
    expect([0, 1, 3]).toContain(result.code);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((headers) => headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("reads the token from PROMETHEUS_BEARER_TOKEN_FILE", async () => {
    const file = join(dir, "token");
    await writeFile(file, `${TOKEN}\n`);
    seen.length = 0;
    const result = await check(["--pd", cluster.pdUrl, "--prometheus", prometheusUrl], {
      PROMETHEUS_BEARER_TOKEN_FILE: file,
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((headers) => headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("uses basic auth from the environment, password from a file", async () => {
    const file = join(dir, "password");
    await writeFile(file, PASSWORD);
    seen.length = 0;
    const result = await check(["--pd", cluster.pdUrl, "--prometheus", prometheusUrl], {
      PROMETHEUS_BASIC_AUTH_USER: "operator",
      PROMETHEUS_BASIC_AUTH_PASSWORD_FILE: file,
    });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((headers) => headers.authorization?.startsWith("Basic "))).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it("takes bearerTokenFile per subject in the config file", async () => {
    const file = join(dir, "subject.token");
    await writeFile(file, TOKEN);
    const config = join(dir, "config.json");
    await writeFile(
      config,
      JSON.stringify({
        subjects: [
          [
            "@operator/tikv",
            {
              name: "prod",
              pdUrl: cluster.pdUrl,
              prometheusUrl,
              prometheus: { bearerTokenFile: "subject.token" },
            },
          ],
        ],
      }),
    );
    seen.length = 0;
    const result = await check(["--config", config, "--json"], {});
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((headers) => headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(result.stdout + result.stderr).not.toContain(TOKEN);
  });

  it("a rejected token is reported as unknown without printing it, even when the server echoes it", async () => {
    seen.length = 0;
    const result = await check(["--pd", cluster.pdUrl, "--prometheus", prometheusUrl, "--json"], {
      PROMETHEUS_BEARER_TOKEN: WRONG,
    });
    expect(seen.some((headers) => headers.authorization === `Bearer ${WRONG}`)).toBe(true);
    expect(result.code).toBe(3);
    expect(result.stdout + result.stderr).not.toContain(WRONG);
  });

  it("refuses a token given both inline and as a file", async () => {
    const result = await check(["--pd", cluster.pdUrl], {
      PROMETHEUS_BEARER_TOKEN: TOKEN,
      PROMETHEUS_BEARER_TOKEN_FILE: "/nonexistent",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^operator: set either PROMETHEUS_BEARER_TOKEN or PROMETHEUS_BEARER_TOKEN_FILE/,
    );
    expect(result.stderr).not.toContain(TOKEN);
  });
});
