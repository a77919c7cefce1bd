/**
 * @operator/core: the subject contract, the ticket model, the monitor loop and the in-memory store.
 * Internal helpers (per-key decisions, evaluation checks, cycle ids) are deliberately not exported:
 * `planCycle` and `createMonitor` are the supported entry points.
 */
export { checkSubject, RESERVED_INVARIANTS } from "./check-subject.ts";
export type { CycleTicketEvent } from "./cycle-events.ts";
export type { AttemptReport, ChannelCounters, Dispatcher, DispatcherOptions } from "./dispatcher.ts";
export { createDispatcher } from "./dispatcher.ts";
export { checkDurationMs, formatDuration, MAX_DURATION_MS, parseDuration } from "./duration.ts";
export type { ErrorCategory, ObservationFailure, OperatorErrorOptions } from "./errors.ts";
export {
  ConfigError,
  ERROR_CATEGORIES,
  isOperatorError,
  ObservationError,
  OperatorError,
  TicketNotFoundError,
  TransitionError,
  UsageError,
} from "./errors.ts";
export type { InvariantOutcome } from "./evaluation.ts";
export type { FlapOptions } from "./flapping.ts";
export { DEFAULT_FLAP_OPTIONS, flapPercent } from "./flapping.ts";
export { formatHeartbeat } from "./heartbeat.ts";
export type { SubjectIdentity } from "./identity.ts";
export { IDENTITY_INVARIANT, MAX_IDENTITY_LENGTH } from "./identity.ts";
export type { ViolationKeyParts } from "./key.ts";
export { assertName, parseViolationKey, violationKey } from "./key.ts";
export type { Leadership, LeadershipChange, LeadershipOptions } from "./leadership.ts";
export { createLeadership } from "./leadership.ts";
export type { LeaseFence, LeaseStore, SubjectLease } from "./leases.ts";
export {
  checkLeaseClaim,
  fencedOut,
  isLeaseLost,
  isLeaseStore,
  LeaseLostError,
  MAX_HOLDER_LENGTH,
} from "./leases.ts";
export type { Logger } from "./logger.ts";
export { consoleLogger, silentLogger } from "./logger.ts";
export type { MemoryTicketStore, MemoryTicketStoreOptions } from "./memory-store.ts";
export { createMemoryTicketStore } from "./memory-store.ts";
export type { CycleReport, Monitor, MonitorOptions, SubjectSwap } from "./monitor.ts";
export { createMonitor } from "./monitor.ts";
export { checkMonitorOptions } from "./monitor-options.ts";
export type {
  AttemptOutcome,
  ChannelStatus,
  NotificationStore,
  PendingNotification,
} from "./notification-store.ts";
export { acceptsEvent, acceptsTicket, notificationId } from "./notification-store.ts";
export type {
  DeliveryContext,
  DeliveryResult,
  Notification,
  NotificationFilter,
  Notifier,
  NotifierFactory,
} from "./notifier.ts";
export type { ConfiguredInvariants, OrphanPlan, OrphanResolution } from "./orphans.ts";
export {
  configuredInvariants,
  ORPHAN_REASON,
  orphanResolution,
  planOrphans,
} from "./orphans.ts";
export { DEFAULT_TICKET_PAGE, MAX_TICKET_PAGE, ticketPageSize } from "./page-size.ts";
export type {
  CycleInput,
  Finding,
  InvariantCycleInput,
  PlannedCycle,
  SubjectCycleInput,
} from "./plan-cycle.ts";
export { planCycle } from "./plan-cycle.ts";
export { readFileCapped } from "./read-capped.ts";
export type { BackoffOptions } from "./retry-delay.ts";
export { DEFAULT_BACKOFF, retryDelay } from "./retry-delay.ts";
export { applyOverrides, DEFAULT_SETTINGS, mergeSettings } from "./settings.ts";
export type { Severity } from "./severity.ts";
export { isSeverity, SEVERITIES } from "./severity.ts";
export type { SignalTarget, StopOnSignalsOptions } from "./signals.ts";
export { stopOnSignals } from "./signals.ts";
export type {
  Silence,
  SilenceDraft,
  SilenceListOptions,
  SilenceMatcher,
  SilenceMatcherName,
  SilenceStore,
} from "./silence.ts";
export {
  checkMatcher,
  checkSilenceDraft,
  formatSilenceMatcher,
  InvalidSilenceError,
  isSilenceActive,
  MAX_MATCHER_VALUE_LENGTH,
  MAX_SILENCE_TEXT_LENGTH,
  parseSilenceMatcher,
  SILENCE_MATCHER_NAMES,
  SILENCE_SNAPSHOT_WINDOW_MS,
  SilenceNotFoundError,
  silenceEnd,
  silenceMatches,
  withholdSilenced,
} from "./silence.ts";
export type { CommittedWrites, LoadedSnapshot, SnapshotRows, WrittenTicket } from "./snapshot-cache.ts";
export { SnapshotCache } from "./snapshot-cache.ts";
export type {
  CycleLogEntry,
  CyclePlan,
  CycleResult,
  CycleSnapshot,
  KeyState,
  RecordCycleOptions,
  TicketDraft,
  TicketFeedItem,
  TicketFilter,
  TicketPage,
  TicketStore,
} from "./store.ts";
export {
  asciiLower,
  checkFeedRead,
  MAX_FEED_PAGE,
  MAX_TICKET_SEARCH_LENGTH,
  sharedOpeningEvent,
  storedValues,
  ticketFromDraft,
  ticketSearchText,
} from "./store.ts";
export type {
  EntityResult,
  Evaluation,
  Invariant,
  InvariantOverride,
  InvariantOverrides,
  InvariantSettings,
  ObserveContext,
  OkResult,
  Runbook,
  Subject,
  SubjectFactory,
  UnknownEvaluation,
  UnknownResult,
  Values,
  ViolatedResult,
} from "./subject.ts";
export { isUnknownEvaluation } from "./subject.ts";
export type {
  Actor,
  EventDraft,
  Ticket,
  TicketDetail,
  TicketEvent,
  TicketEventKind,
  TicketStatus,
} from "./ticket.ts";
export { MONITOR_ACTOR, TICKET_EVENT_KINDS, TICKET_STATUSES } from "./ticket.ts";
export type { EventJson, TicketDetailJson, TicketJson } from "./ticket-json.ts";
export { eventToJson, isoTime, ticketDetailToJson, ticketToJson } from "./ticket-json.ts";
export type { TicketAction, TicketChange, TicketPatch } from "./transitions.ts";
export {
  assertTransition,
  canTransition,
  checkMonitorPatch,
  planAction,
  TRANSITIONS,
} from "./transitions.ts";
export {
  DEFAULT_UNREACHABLE_AFTER,
  SOURCE_UNREACHABLE_INVARIANT,
  UNREACHABLE_INVARIANT,
} from "./unreachable.ts";
