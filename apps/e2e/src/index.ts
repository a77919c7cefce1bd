export type { AlertPoll, AlertRecorder, AlertTimeline } from "./alert-recorder.ts";
export { alertKey, recordAlerts, timelineOf } from "./alert-recorder.ts";
export type { AlertRuleOptions, ComparedInvariant, PrometheusAlert } from "./alerting.ts";
export { ALERT_NAMES, alertExpressions, alertingRules, fetchAlerts, writeAlertingRules } from "./alerting.ts";
export type {
  AlertmanagerPayload,
  AlertmanagerReceiver,
  ListedAlert,
  RunningAlertmanager,
} from "./alertmanager.ts";
export {
  findAlertmanager,
  listAlertmanagerAlerts,
  startAlertmanager,
  startAlertmanagerReceiver,
} from "./alertmanager.ts";
export type { ConsoleProblem, RecordedPage } from "./browser.ts";
export { CHROMIUM_PATH, chromiumAvailable, openRecordedPage } from "./browser.ts";
export { onCleanup, runCleanups, trackChild } from "./cleanup.ts";
export type {
  ComparisonOptions,
  ComparisonResult,
  ComparisonRow,
  ComparisonSettings,
  SideResult,
} from "./comparison.ts";
export { ALERT_POLL_MS, runDetectionComparison } from "./comparison.ts";
export type { ComparisonScenario, ComparisonScenarioId, ScenarioContext } from "./comparison-scenarios.ts";
export { COMPARISON_SCENARIOS, flapPeriodMs } from "./comparison-scenarios.ts";
export { formatComparisonTable } from "./comparison-table.ts";
export type { FaultProxy, PdFault, ProxiedRequest } from "./fault-proxy.ts";
export { startFaultProxy } from "./fault-proxy.ts";
export type {
  Cluster,
  Environment,
  EnvironmentOptions,
  MonitorRun,
  MonitorRunOptions,
  Prometheus,
} from "./harness.ts";
export {
  DEFAULT_RATE_WINDOW,
  PD_DISCONNECT_SIM_MS,
  startEnvironment,
  TIKV_HEARTBEAT_SIM_MS,
  waitForAllPassing,
} from "./harness.ts";
export type { InvariantOverridesConfig, MonitorConfigOptions } from "./monitor-config.ts";
export { monitorConfig, writeMonitorConfig } from "./monitor-config.ts";
export type { MonitorProcess, MonitorProcessOptions, OutputLine, ProcessExit } from "./monitor-process.ts";
export { cycleStartOf, HEARTBEAT, startMonitorProcess } from "./monitor-process.ts";
export type { CliResult, ListedTicket, ShownEvent, ShownTicket } from "./operator-cli.ts";
export {
  CliError,
  listTickets,
  OPERATOR_BIN,
  runOperator,
  showTicket,
  ticketAction,
} from "./operator-cli.ts";
export type { ReplicaSet, ReplicaSetOptions, Takeover } from "./replicas.ts";
export { historyProblems, startReplicas } from "./replicas.ts";
export { integrityCheck } from "./sqlite.ts";
export { byKey, duplicateOpenKeys, isUnresolved, openedAt } from "./tickets.ts";
export type { WaitOptions } from "./wait.ts";
export { GiveUpError, sleep, WaitTimeoutError, waitFor } from "./wait.ts";
