export type { SubjectHealthView, SubjectView } from "@operator/core/testing";
export { INVARIANTS, realPlan, seeded, TestWorld } from "@operator/core/testing";
