import { describe, expect, it } from "vitest";
import * as core from "../src/index.ts";
import * as testing from "../src/testing/index.ts";

describe("public surface", () => {
  it("@operator/core exports exactly these values", () => {
    expect(Object.keys(core).sort()).toEqual([
      "ConfigError",
      "DEFAULT_BACKOFF",
      "DEFAULT_FLAP_OPTIONS",
      "DEFAULT_SETTINGS",
      "DEFAULT_TICKET_PAGE",
      "DEFAULT_UNREACHABLE_AFTER",
      "IDENTITY_INVARIANT",
      "MAX_DURATION_MS",
      "MAX_IDENTITY_LENGTH",
      "MAX_TICKET_PAGE",
      "MONITOR_ACTOR",
      "ObservationError",
      "OperatorError",
      "RESERVED_INVARIANTS",
      "SEVERITIES",
      "SOURCE_UNREACHABLE_INVARIANT",
      "TICKET_STATUSES",
      "TRANSITIONS",
      "TicketNotFoundError",
      "TransitionError",
      "UNREACHABLE_INVARIANT",
      "acceptsEvent",
      "acceptsTicket",
      "applyOverrides",
      "assertName",
      "assertTransition",
      "canTransition",
      "checkDurationMs",
      "checkSubject",
      "consoleLogger",
      "createDispatcher",
      "createMemoryTicketStore",
      "createMonitor",
      "flapPercent",
      "formatDuration",
      "formatHeartbeat",
      "isOperatorError",
      "isSeverity",
      "isUnknownEvaluation",
      "mergeSettings",
      "notificationId",
      "parseDuration",
      "parseViolationKey",
      "planAction",
      "planCycle",
      "retryDelay",
      "silentLogger",
      "stopOnSignals",
      "ticketFromDraft",
      "ticketPageSize",
      "violationKey",
    ]);
  });

  it("@operator/core/testing exports exactly these values", () => {
    expect(Object.keys(testing).sort()).toEqual([
      "manualClock",
      "memoryLogger",
      "refusedUrl",
      "runCycles",
      "sampleNotification",
      "startTestReceiver",
      "testNotifier",
      "testSubject",
    ]);
  });
});
