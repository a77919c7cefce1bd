import { describe, expect, it } from "vitest";
import { type KeyState, SnapshotCache, type Ticket } from "../src/index.ts";

const state = (key: string, history = "x"): KeyState => ({
  key,
  subject: key.split("/")[0] ?? "",
  invariant: "store_down",
  entity: key.split("/")[2] ?? "",
  pendingSince: null,
  clearSince: null,
  history,
  onsets: [],
  flapping: false,
  failures: 0,
  updatedAt: 1,
});

const ticket = (id: number, key: string, status: Ticket["status"] = "open") =>
  ({ id, key, subject: key.split("/")[0], status }) as Ticket;

describe("SnapshotCache", () => {
  it("asks for every subject until filled, then for none while the version holds", () => {
    const cache = new SnapshotCache();
    expect(cache.missing(1, ["a", "b", "a"])).toEqual(["a", "b"]);
    cache.fill(["a", "b"], {
      states: [state("a/store_down/1")],
      identities: [{ subject: "b", identity: "cluster-7", pending: null, updatedAt: 1 }],
      tickets: [{ ticket: ticket(1, "a/store_down/1"), lastValuesJson: '{"v":1}' }],
    });
    expect(cache.missing(1, ["a", "b"])).toEqual([]);
    expect(cache.missing(1, ["a", "c"])).toEqual(["c"]);
    const snapshot = cache.snapshot(["a", "b"]);
    expect([...snapshot.states.keys()]).toEqual(["a/store_down/1"]);
    expect(snapshot.openTickets.get("a/store_down/1")?.id).toBe(1);
    expect(snapshot.lastValuesJson.get(1)).toBe('{"v":1}');
    expect(snapshot.identities.get("b")?.identity).toBe("cluster-7");
    expect(cache.missing(2, ["a", "b"])).toEqual(["a", "b"]);
    expect(() => cache.snapshot(["a"])).toThrow(/not cached/);
  });

  it("hands out copies, and applies a committed cycle's writes under the version the commit left", () => {
    const cache = new SnapshotCache();
    cache.missing("v1", ["a"]);
    cache.fill(["a"], {
      states: [state("a/store_down/1"), state("a/store_down/2")],
      identities: [],
      tickets: [
        { ticket: ticket(1, "a/store_down/1"), lastValuesJson: "{}" },
        { ticket: ticket(2, "a/store_down/2"), lastValuesJson: "{}" },
      ],
    });
    cache.snapshot(["a"]).openTickets.clear();
    const planned = { ...state("a/store_down/1", "xx"), onsets: [5], scratch: "not stored" };
    cache.applyCommitted(
      {
        upserted: [planned],
        deleted: ["a/store_down/2"],
        identities: [],
        tickets: [
          { ticket: ticket(2, "a/store_down/2", "resolved"), lastValuesJson: "{}" },
          { ticket: ticket(3, "a/store_down/3"), lastValuesJson: '{"v":3}' },
          { ticket: ticket(4, "b/store_down/1"), lastValuesJson: "{}" },
        ],
      },
      "v2",
    );
    expect(cache.missing("v2", ["a"])).toEqual([]);
    const after = cache.snapshot(["a"]);
    expect([...after.states.values()].map((s) => [s.key, s.history])).toEqual([["a/store_down/1", "xx"]]);
    planned.onsets.push(6);
    expect(after.states.get("a/store_down/1")).toEqual({ ...state("a/store_down/1", "xx"), onsets: [5] });
    expect([...after.openTickets.values()].map((t) => t.id)).toEqual([1, 3]);
    expect([...after.lastValuesJson.keys()]).toEqual([1, 3]);
    cache.invalidate();
    expect(cache.missing("v2", ["a"])).toEqual(["a"]);
  });
});
