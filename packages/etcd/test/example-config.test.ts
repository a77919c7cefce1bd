import { readFile } from "node:fs/promises";
import { expect, it } from "vitest";
import etcd, { type EtcdOptions } from "../src/index.ts";

const EXAMPLE = new URL("../../../docs/examples/tikv-and-etcd.json", import.meta.url);

it("the documented TiKV + etcd config builds an etcd subject with its overrides", async () => {
  const config = JSON.parse(await readFile(EXAMPLE, "utf8")) as { subjects: [string, unknown][] };
  expect(config.subjects.map(([name]) => name)).toEqual(["@operator/tikv", "@operator/etcd"]);
  const options = config.subjects[1]?.[1] as EtcdOptions;
  const subject = etcd(options);
  expect(subject.name).toBe("prod-etcd");
  const quota = subject.invariants.find((invariant) => invariant.name === "backend_quota");
  expect(quota?.defaults.thresholds.ratio).toBe(0.7);
});
