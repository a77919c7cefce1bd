export { formatDuration, parseDuration } from "./duration.ts";
export type { ObservationFailure } from "./errors.ts";
export {
  ConfigError,
  isOperatorError,
  ObservationError,
  OperatorError,
  TicketNotFoundError,
  TransitionError,
} from "./errors.ts";
export type { ViolationKeyParts } from "./key.ts";
export { assertName, parseViolationKey, violationKey } from "./key.ts";
export { applyOverrides, DEFAULT_SETTINGS, mergeSettings } from "./settings.ts";
export type { Severity } from "./severity.ts";
export { isSeverity, SEVERITIES } from "./severity.ts";
export type {
  CycleLogEntry,
  CyclePlan,
  CycleResult,
  CycleSnapshot,
  KeyState,
  TicketDraft,
  TicketFilter,
  TicketPage,
  TicketStore,
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
export { MONITOR_ACTOR, TICKET_STATUSES } from "./ticket.ts";
export type { TicketAction, TicketChange, TicketPatch } from "./transitions.ts";
export { assertTransition, canTransition, planAction, TRANSITIONS } from "./transitions.ts";
