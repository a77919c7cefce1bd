/**
 * The workspace packages the benchmark measures, imported from source. The root package does not
 * depend on them, so they are reached by path; Node resolves the packages' own `@operator/*` imports
 * to the same files, so there is one copy of each module. The simulator runs in its own worker
 * process (sim-host.ts), which imports it there.
 */
export type {
  AttemptReport,
  CyclePlan,
  CycleSnapshot,
  Subject,
  TicketStore,
} from "../../packages/core/src/index.ts";
export { ConfigError, createDispatcher, createMonitor, silentLogger } from "../../packages/core/src/index.ts";
export { openTicketStore } from "../../packages/db/src/index.ts";
export { webhookNotifier } from "../../packages/notify/src/index.ts";
export { default as tikvSubject } from "../../packages/tikv/src/index.ts";
export type { FaultCommand } from "../../packages/tikv-sim/src/index.ts";
