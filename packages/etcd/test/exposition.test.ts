import { describe, expect, it } from "vitest";
import {
  ExpositionParseError,
  parseExposition,
  parseExpositionSliced,
  samplesOf,
  sampleValue,
} from "../src/exposition.ts";

const TEXT = `# HELP etcd_server_has_leader Whether or not a leader exists. 1 is existence, 0 is not.
# TYPE etcd_server_has_leader gauge
etcd_server_has_leader 1
# TYPE etcd_server_quota_backend_bytes gauge
etcd_server_quota_backend_bytes 2.147483648e+09
# TYPE grpc_server_handled_total counter
grpc_server_handled_total{grpc_code="OK",grpc_method="Range",grpc_service="etcdserverpb.KV",grpc_type="unary"} 42
weird{path="C:\\\\dir",msg="say \\"hi\\"\\nbye"} -Inf 1700000000000
nan_metric NaN
`;

describe("parseExposition", () => {
  it("reads gauges, counters with labels, types and scientific notation", () => {
    const exposition = parseExposition(TEXT);
    expect(sampleValue(exposition, "etcd_server_has_leader")).toBe(1);
    expect(sampleValue(exposition, "etcd_server_quota_backend_bytes")).toBe(2147483648);
    expect(sampleValue(exposition, "grpc_server_handled_total", { grpc_method: "Range" })).toBe(42);
    expect(sampleValue(exposition, "grpc_server_handled_total", { grpc_method: "Put" })).toBeUndefined();
    expect(exposition.types.get("grpc_server_handled_total")).toBe("counter");
    expect(exposition.types.get("etcd_server_has_leader")).toBe("gauge");
  });

  it("unescapes label values and accepts special values and timestamps", () => {
    const exposition = parseExposition(TEXT);
    const [weird] = samplesOf(exposition, "weird");
    expect(weird?.labels).toEqual({ path: "C:\\dir", msg: 'say "hi"\nbye' });
    expect(weird?.value).toBe(Number.NEGATIVE_INFINITY);
    expect(sampleValue(exposition, "nan_metric")).toBeNaN();
  });

  it("accepts a label value containing } and , characters", () => {
    const exposition = parseExposition('m{a="x,}y",b="z"} 3\n');
    expect(samplesOf(exposition, "m")[0]?.labels).toEqual({ a: "x,}y", b: "z" });
  });

  it.each([
    ["a value that is not a number", "metric_a abc"],
    ["a missing value", "metric_b"],
    ["an unterminated label value", 'metric_c{a="x} 1'],
    ["a label without quotes", "metric_d{a=x} 1"],
    ["a line that is not a metric", "{} 1"],
  ])("rejects %s, naming the line", (_what, line) => {
    const text = `ok_metric 1\n${line}\n`;
    expect(() => parseExposition(text)).toThrow(ExpositionParseError);
    expect(() => parseExposition(text)).toThrow(/line 2/);
  });
});

describe("parseExpositionSliced", () => {
  it("gives parseExposition's result on a large text, letting timers run meanwhile", async () => {
    const lines = Array.from(
      { length: 100_000 },
      (_, i) => `grpc_server_handled_total{grpc_code="OK",grpc_method="Range${i}"} ${i}`,
    );
    const text = `# TYPE grpc_server_handled_total counter\n${lines.join("\n")}\n`;
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 1);
    try {
      const sliced = await parseExpositionSliced(text);
      expect(sliced).toEqual(parseExposition(text));
      expect(sliced.samples).toHaveLength(100_000);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it("rejects a malformed line with its number", async () => {
    await expect(parseExpositionSliced("ok 1\n{bad} 2\n")).rejects.toThrow(/line 2/);
  });
});
