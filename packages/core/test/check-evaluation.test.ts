import { describe, expect, it } from "vitest";
import { checkEvaluation, type DistinctEntities } from "../src/evaluation.ts";

const ok = (entity: string) => ({ entity, outcome: "ok" as const });

describe("checkEvaluation with the entities of the subject's earlier invariants", () => {
  it("accepts the same entities in the same order, and remembers a new list by its length", () => {
    const distinct: DistinctEntities = new Map();
    expect(checkEvaluation([ok("1"), ok("2"), ok("3")], distinct).kind).toBe("results");
    expect(checkEvaluation([ok("a")], distinct).kind).toBe("results");
    expect([...distinct]).toEqual([
      [3, ["1", "2", "3"]],
      [1, ["a"]],
    ]);
    expect(checkEvaluation([ok("1"), ok("2"), ok("3")], distinct).kind).toBe("results");
    expect(checkEvaluation([ok("3"), ok("1"), ok("2")], distinct).kind).toBe("results");
    expect(distinct.get(3)).toEqual(["3", "1", "2"]);
  });

  it.each([
    ["a repeat after the shared prefix", ["1", "2", "1"]],
    ["a repeat of a later known entity", ["1", "3", "3"]],
    ["a repeat in a shorter list", ["2", "2"]],
    ["a repeat in a longer list", ["1", "2", "3", "2"]],
  ])("still finds %s", (_name, entities) => {
    const distinct: DistinctEntities = new Map([
      [2, ["1", "2"]],
      [3, ["1", "2", "3"]],
      [4, ["1", "2", "3", "4"]],
    ]);
    const before = [...distinct];
    const outcome = checkEvaluation(entities.map(ok), distinct);
    expect(outcome).toMatchObject({ kind: "unknown", reason: expect.stringContaining("twice") });
    expect([...distinct]).toEqual(before);
  });
});
