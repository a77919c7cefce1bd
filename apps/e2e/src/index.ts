export { onCleanup, runCleanups, trackChild } from "./cleanup.ts";
export type {
  Cluster,
  Environment,
  EnvironmentOptions,
  MonitorRun,
  MonitorRunOptions,
  Prometheus,
} from "./harness.ts";
export { PD_DISCONNECT_SIM_MS, startEnvironment, waitForAllPassing } from "./harness.ts";
export type { InvariantOverridesConfig, MonitorConfigOptions } from "./monitor-config.ts";
export { monitorConfig, writeMonitorConfig } from "./monitor-config.ts";
export type { MonitorProcess, MonitorProcessOptions, OutputLine, ProcessExit } from "./monitor-process.ts";
export { HEARTBEAT, startMonitorProcess } from "./monitor-process.ts";
export type { CliResult, ListedTicket } from "./operator-cli.ts";
export { CliError, listTickets, OPERATOR_BIN, runOperator, ticketAction } from "./operator-cli.ts";
export type { WaitOptions } from "./wait.ts";
export { sleep, WaitTimeoutError, waitFor } from "./wait.ts";
