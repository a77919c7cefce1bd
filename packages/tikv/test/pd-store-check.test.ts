import { parseJson } from "@operator/subject-kit";
import { describe, expect, it } from "vitest";
import { storeInfo } from "../src/pd-schemas.ts";
import { checkStore, STORE_ELEMENT } from "../src/pd-store-check.ts";
import { fixture } from "./helpers/fixtures.ts";

type Entry = { store: Record<string, unknown>; status?: Record<string, unknown> };

const ENTRIES = (parseJson(fixture("stores.json")) as { stores: Entry[] }).stores;

/** What the hand check must agree with: the schema's result, or `undefined` where the schema fails. */
function schemaResult(entry: unknown): unknown {
  const result = storeInfo.safeParse(entry);
  return result.success ? result.data : undefined;
}

/** Values of every JSON type (and a few the schema treats specially), to put in any field. */
const PROBES: readonly unknown[] = [
  undefined,
  null,
  0,
  1,
  2,
  3,
  4,
  -1,
  1.5,
  2 ** 53,
  12345678901234567890n,
  -5n,
  "",
  "Up",
  "1.5TiB",
  "12 parsecs",
  true,
  false,
  [],
  [{ key: "engine", value: "tiflash" }],
  [{ key: 1, value: "x" }],
  {},
  { "7": 0.5 },
  { "7": "slow" },
  { cause_value: 1, result_rate: 0.5 },
];

const STORE_FIELDS = [
  "id",
  "address",
  "state",
  "labels",
  "version",
  "peer_address",
  "status_address",
  "git_hash",
  "start_timestamp",
  "deploy_path",
  "last_heartbeat",
  "physically_destroyed",
  "node_state",
  "state_name",
];
const STATUS_FIELDS = [
  "capacity",
  "available",
  "used_size",
  "leader_count",
  "leader_weight",
  "leader_score",
  "leader_size",
  "region_count",
  "region_weight",
  "region_score",
  "region_size",
  "learner_count",
  "witness_count",
  "pending_peer_count",
  "slow_score",
  "network_slow_score",
  "slow_trend",
  "sending_snap_count",
  "receiving_snap_count",
  "is_busy",
  "start_ts",
  "last_heartbeat_ts",
  "uptime",
  "pause_leader_transfer_in",
  "pause_leader_transfer_out",
];

function withField(entry: Entry, part: "store" | "status", field: string, value: unknown): Entry {
  const copy = structuredClone(entry);
  copy[part] ??= {};
  const target = copy[part];
  if (value === undefined) delete target[field];
  else target[field] = value;
  return copy;
}

describe("checkStore (the hand check of /stores entries)", () => {
  it("returns what the schema returns for every entry of a real PD answer", () => {
    for (const entry of ENTRIES) {
      const checked = checkStore(entry);
      expect(checked).toBeDefined();
      expect(checked).toEqual(storeInfo.parse(entry));
    }
  });

  it("agrees with the schema whatever value any field holds, and refuses what it refuses", () => {
    let checked = 0;
    for (const entry of ENTRIES) {
      for (const [part, fields] of [
        ["store", STORE_FIELDS],
        ["status", STATUS_FIELDS],
      ] as const) {
        for (const field of fields) {
          for (const probe of PROBES) {
            const mutated = withField(entry, part, field, probe);
            const fast = checkStore(mutated);
            const schema = schemaResult(mutated);
            if (fast !== undefined) {
              checked += 1;
              expect(fast, `${part}.${field} = ${String(probe)}`).toEqual(schema);
            } else {
              expect(schema, `${part}.${field} = ${String(probe)}`).toBeUndefined();
            }
          }
        }
      }
    }
    for (const probe of PROBES) {
      for (const entry of [{ ...ENTRIES[0], store: probe }, { ...ENTRIES[0], status: probe }, probe]) {
        const fast = checkStore(entry);
        if (fast === undefined) expect(schemaResult(entry), String(probe)).toBeUndefined();
        else expect(fast).toEqual(schemaResult(entry));
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it("handles a missing status, labels, slow trends and per-store scores itself", () => {
    const entry = ENTRIES[0] as Entry;
    const variants = [
      { store: entry.store },
      withField(entry, "store", "labels", null),
      withField(entry, "status", "slow_trend", { cause_value: 2 }),
      withField(entry, "status", "network_slow_score", { "4": 1, "5": 100 }),
      withField(entry, "store", "last_heartbeat", 12345678901234567890n),
    ];
    for (const variant of variants) {
      expect(checkStore(variant)).toEqual(storeInfo.parse(variant));
    }
  });

  it("leaves a malformed entry to the schema, which names the field", () => {
    const bad = withField(ENTRIES[0] as Entry, "store", "id", "seven");
    expect(checkStore(bad)).toBeUndefined();
    const result = STORE_ELEMENT.safeParse(bad);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues[0]?.path).toEqual(["store", "id"]);
  });
});
