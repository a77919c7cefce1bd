import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "./helpers/cli.ts";
import { installFakePlugin } from "./helpers/fake-plugin.ts";

const PD_TOKEN = "pd-tok-7c1e94a2b3";
const TENANT = "tenant-hdr-5d6e7f8a";
const API_TOKEN = "api-tok-0f9e8d7c6b";
const CUSTOM = "custom-hdr-1a2b3c4d";
const PASSWORD = "hunter2-s3cret";
const SECRETS = [PD_TOKEN, TENANT, API_TOKEN, CUSTOM, PASSWORD];

let dir: string;
let pd: Server;
let pdUrl: string;
let requests = 0;

/** A PD that refuses everyone with 401 and a body echoing every request header it got. */
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "operator-redaction-"));
  await installFakePlugin(dir);
  pd = createServer((req, res) => {
    requests++;
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "unauthorized", headers: req.headers, raw: req.rawHeaders.join("\n") }));
  });
  await new Promise<void>((resolve) => pd.listen(0, "127.0.0.1", resolve));
  pdUrl = `http://127.0.0.1:${(pd.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => pd?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

function expectNoSecret(...results: (CliResult | string)[]): void {
  for (const result of results) {
    const text = typeof result === "string" ? result : `${result.stdout}\n${result.stderr}`;
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  }
}

/** Everything a ticket database holds, as the CLI shows it and as bytes on disk. */
async function everythingIn(db: string): Promise<string[]> {
  const out: string[] = [];
  const list = await runCli(["tickets", "list", "--all", "--json", "--db", db]);
  expect(list.code, list.stderr).toBe(0);
  const tickets = JSON.parse(list.stdout) as { id: number }[];
  expect(tickets.length).toBeGreaterThan(0);
  out.push(list.stdout, list.stderr, (await runCli(["tickets", "list", "--all", "--db", db])).stdout);
  for (const { id } of tickets) {
    const json = await runCli(["tickets", "show", String(id), "--json", "--db", db]);
    const text = await runCli(["tickets", "show", String(id), "--db", db]);
    out.push(json.stdout, json.stderr, text.stdout, text.stderr);
  }
  for (const file of [db, `${db}-wal`]) {
    if (existsSync(file)) out.push((await readFile(file)).toString("latin1"));
  }
  return out;
}

describe("secrets in subject options never reach output, logs or tickets", () => {
  it("pd.headers of @operator/tikv, echoed back by a PD answering 401", async () => {
    const db = join(dir, "tikv.db");
    const config = join(dir, "tikv.json");
    await writeFile(
      config,
      JSON.stringify({
        db,
        unreachableAfter: 1,
        subjects: [
          [
            "@operator/tikv",
            {
              name: "prod",
              pdUrl,
              pd: { headers: { Authorization: `Bearer ${PD_TOKEN}`, "X-Tenant": TENANT } },
            },
          ],
        ],
      }),
    );
    requests = 0;
    const text = await runCli(["check", "--verbose", "--config", config]);
    const json = await runCli(["check", "--json", "--log-format", "json", "--config", config]);
    expect(requests).toBeGreaterThan(0);
    // unreachableAfter 1: the refused read opens a subject_unreachable ticket at once (exit 1)
    expect(text.code, text.stderr).toBe(1);
    expect(json.code, json.stderr).toBe(1);
    expectNoSecret(text, json, ...(await everythingIn(db)));
  });

  it("header values and secret-named options of any plugin", async () => {
    const db = join(dir, "fake.db");
    const config = join(dir, "fake.json");
    await writeFile(
      config,
      JSON.stringify({
        db,
        unreachableAfter: 1,
        pluginDir: ".",
        subjects: [
          [
            "@example/fake-subject",
            {
              name: "edge",
              outcome: "unreachable",
              apiToken: API_TOKEN,
              client: { headers: { "X-Custom": CUSTOM } },
              errorMessage: `denied for ${API_TOKEN} with X-Custom: ${CUSTOM}`,
            },
          ],
          [
            "@example/fake-subject",
            {
              name: "edge2",
              outcome: "violated",
              password: PASSWORD,
              message: `login with ${PASSWORD} failed`,
              values: { echoed: { authorization: `Bearer ${API_TOKEN}`, note: PASSWORD } },
            },
          ],
        ],
      }),
    );
    const text = await runCli(["check", "--verbose", "--config", config]);
    const json = await runCli(["check", "--json", "--log-format", "json", "--config", config]);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout + text.stderr).toContain("[redacted]");
    expectNoSecret(text, json, ...(await everythingIn(db)));
  });
});

describe("URL userinfo, also in malformed URLs", () => {
  it.each([
    `admin:${PASSWORD}@127.0.0.1:2379`,
    `https//admin:${PASSWORD}@127.0.0.1:2379`,
    `http://admin:${PASSWORD}@127.0.0.1:2379`,
    `ftp://admin:${PASSWORD}@127.0.0.1`,
  ])("--pd %s", async (url) => {
    const result = await runCli(["check", "--no-db", "--pd", url]);
    expect([2, 3]).toContain(result.code);
    expect(result.stderr).not.toBe("");
    expectNoSecret(result);
  });

  it("in a config file's pdUrl, and in --help with PD_ENDPOINT set", async () => {
    const config = join(dir, "malformed.json");
    await writeFile(
      config,
      JSON.stringify({
        subjects: [["@operator/tikv", { name: "x", pdUrl: `admin:${PASSWORD}@127.0.0.1:2379` }]],
      }),
    );
    const result = await runCli(["check", "--no-db", "--config", config]);
    expect(result.code).toBe(2);
    expectNoSecret(result);
    for (const [name, text] of [
      ["broken.json", `{"subjects": [["@operator/tikv", {"name": "x", "token": ${PD_TOKEN}}]]}`],
      ["broken2.json", `{"subjects": [${PD_TOKEN}]}`],
    ] as const) {
      await writeFile(join(dir, name), text);
      const broken = await runCli(["check", "--no-db", "--config", join(dir, name)]);
      expect(broken.code).toBe(2);
      expect(broken.stderr).toMatch(
        /is not valid JSON: .* at line 1 column \d+|is not valid JSON: Unexpected token/,
      );
      expectNoSecret(broken);
    }
    const help = await runCli(["check", "--help"], {
      env: { PD_ENDPOINT: `http://admin:${PASSWORD}@h:2379` },
    });
    expect(help.code).toBe(0);
    expectNoSecret(help);
  });
});
