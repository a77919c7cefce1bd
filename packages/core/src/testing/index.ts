/**
 * @operator/core/testing: the conformance suite every subject plugin runs in its own tests, and
 * small helpers for driving a monitor in tests. Needs vitest (an optional peer dependency).
 */
export type { LoggedLine } from "./memory-logger.ts";
export { memoryLogger } from "./memory-logger.ts";
export type { ManualClock, RunCyclesOptions } from "./run-cycles.ts";
export { manualClock, runCycles } from "./run-cycles.ts";
export type { SampleNotificationOptions } from "./sample-notification.ts";
export { sampleNotification } from "./sample-notification.ts";
export type { SubjectHealthView, SubjectView } from "./store-world.ts";
export { INVARIANTS, realPlan, seeded, TestWorld } from "./store-world.ts";
export type { TestNotifierContext, TestNotifierOptions } from "./test-notifier.ts";
export { testNotifier } from "./test-notifier.ts";
export type { ReceivedRequest, ReceiverBehaviour, TestReceiver } from "./test-receiver.ts";
export { closedPort, refusedUrl, startTestReceiver } from "./test-receiver.ts";
export type { TestSubjectContext, TestSubjectOptions } from "./test-subject.ts";
export { testSubject } from "./test-subject.ts";
export type { ConformingStore, TestTicketStoreOptions } from "./test-ticket-store.ts";
export { testTicketStore } from "./test-ticket-store.ts";
