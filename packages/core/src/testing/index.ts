/**
 * @operator/core/testing: the conformance suite every subject plugin runs in its own tests, and
 * small helpers for driving a monitor in tests. Needs vitest (an optional peer dependency).
 */
export type { LoggedLine } from "./memory-logger.ts";
export { memoryLogger } from "./memory-logger.ts";
export type { ManualClock, RunCyclesOptions } from "./run-cycles.ts";
export { manualClock, runCycles } from "./run-cycles.ts";
export type { TestSubjectContext, TestSubjectOptions } from "./test-subject.ts";
export { testSubject } from "./test-subject.ts";
