import { ConfigError, isOperatorError } from "@operator/core";
import { describe, expect, it } from "vitest";
import etcd, { type EtcdOptions, SUBJECT_KIND } from "../src/index.ts";

const base: EtcdOptions = { name: "prod-etcd", endpoints: ["http://127.0.0.1:2379/"] };

function configError(options: unknown): ConfigError {
  try {
    etcd(options as EtcdOptions);
  } catch (error) {
    expect(isOperatorError(error)).toBe(true);
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
}

describe("etcd subject options", () => {
  it("builds a subject with every invariant and normalised endpoints", () => {
    const subject = etcd(base);
    expect(subject.name).toBe("prod-etcd");
    expect(subject.kind).toBe(SUBJECT_KIND);
    expect(subject.invariants.map((invariant) => invariant.name)).toEqual([
      "member_unreachable",
      "insufficient_members",
      "no_leader",
      "member_no_leader",
      "leader_changes",
      "alarm_active",
      "backend_quota",
      "db_growth",
      "db_fragmentation",
      "wal_fsync_latency",
      "backend_commit_latency",
      "grpc_failed_requests",
      "grpc_latency",
      "proposals_failed",
      "peer_round_trip",
    ]);
    for (const invariant of subject.invariants) {
      expect(invariant.runbook?.hint, invariant.name).toMatch(/^\S.{20,300}$/);
    }
  });

  it.each([
    [{ endpoints: ["http://a:2379"] }, /Missing required option `name`/],
    [{ name: "x" }, /Missing required option `endpoints`/],
    [{ name: "x", endpoints: [] }, /`endpoints` must be a non-empty array/],
    [{ name: "x", endpoints: "http://a:2379" }, /`endpoints` must be a non-empty array/],
    [{ name: "x", endpoints: ["not a url"] }, /`endpoints\[0\]` is not a valid URL/],
    [{ name: "x", endpoints: ["ftp://a:2379"] }, /`endpoints\[0\]` must be an http/],
    [{ name: "x", endpoints: ["http://a:2379", "http://a:2379/"] }, /lists http:\/\/a:2379 twice/],
    [{ name: "bad/name", endpoints: ["http://a:2379"] }, /Option `name`: Invalid subject name/],
    [{ name: "x", endpoints: ["http://root:secret@a:2379"] }, /must not contain credentials; use `headers`/],
    [{ ...base, timeoutMs: 0 }, /`timeoutMs` must be a positive number/],
    [
      { ...base, maxBodyBytes: 100 },
      /`maxBodyBytes` must be a whole number of bytes between 1024 and 1073741824/,
    ],
    [{ ...base, prometheusMaxBodyBytes: "8MiB" }, /`prometheusMaxBodyBytes` must be a whole number of bytes/],
    [{ ...base, prometheusUrl: "localhost:9090" }, /`prometheusUrl` must be an http/],
    [{ ...base, headers: { authorization: 1 } }, /`headers.authorization` must be a string/],
    [{ ...base, endpoint: "http://a:2379" }, /Unknown option `endpoint`/],
    [{ ...base, invariants: { no_such: {} } }, /no invariant "no_such"/],
    [{ ...base, invariants: { backend_quota: { thresholds: { percent: 80 } } } }, /has no "percent"/],
    [
      { ...base, invariants: { leader_changes: { thresholds: { windowSeconds: 0 } } } },
      /windowSeconds must be above 0/,
    ],
  ])("rejects %j with one clear error", (options, message) => {
    const error = configError(options);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith("[operator]")).toBe(true);
  });

  it.each(["admin:hunter2@a:2379", "https//admin:hunter2@a", "http//admin:hunter2@a:2379"])(
    "never echoes the credentials of a malformed URL (%s)",
    (endpoint) => {
      const error = configError({ name: "x", endpoints: [endpoint] });
      expect(error.message).toMatch(/Option `endpoints\[0\]`/);
      expect(error.message).not.toContain("hunter2");
    },
  );

  it("applies overrides to the invariants' defaults", () => {
    const subject = etcd({
      ...base,
      invariants: {
        backend_quota: { thresholds: { ratio: 0.5 }, for: "30s" },
        no_leader: { enabled: false },
        alarm_active: { runbook: { url: "https://wiki.example/etcd-alarms" } },
      },
    });
    expect(subject.invariants.find((invariant) => invariant.name === "alarm_active")?.runbook).toEqual({
      hint: expect.stringMatching(/^NOSPACE: compact, defragment/),
      url: "https://wiki.example/etcd-alarms",
    });
    const quota = subject.invariants.find((invariant) => invariant.name === "backend_quota");
    expect(quota?.defaults.thresholds.ratio).toBe(0.5);
    expect(quota?.defaults.forMs).toBe(30_000);
    expect(subject.invariants.find((invariant) => invariant.name === "no_leader")?.defaults.enabled).toBe(
      false,
    );
  });
});
