import { checkSubject } from "@operator/core";
import { expect, it } from "vitest";
import tikv from "../src/index.ts";
import { TIKV_INVARIANTS } from "../src/invariants/index.ts";

it("every TiKV invariant says what to check first in one line, and the subject passes checkSubject with them", () => {
  for (const invariant of TIKV_INVARIANTS) {
    expect(invariant.runbook?.hint, invariant.name).toMatch(/^\S.{20,300}$/);
  }
  const subject = tikv({ name: "prod-tikv", pdUrl: "http://127.0.0.1:2379" });
  expect(() => checkSubject(subject)).not.toThrow();
  expect(subject.invariants.every((invariant) => invariant.runbook !== undefined)).toBe(true);
});
