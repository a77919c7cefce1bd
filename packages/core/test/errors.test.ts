import { describe, expect, it } from "vitest";
import {
  ConfigError,
  checkMonitorOptions,
  ObservationError,
  OperatorError,
  TicketNotFoundError,
  TransitionError,
  UsageError,
} from "../src/index.ts";
import { scriptedSubject } from "./helpers.ts";

describe("error categories", () => {
  it("each class has its default category", () => {
    expect(new OperatorError("x").category).toBe("internal");
    expect(new ConfigError("x").category).toBe("config");
    expect(new UsageError("x").category).toBe("usage");
    expect(new TicketNotFoundError(4).category).toBe("refused");
    expect(new TransitionError(4, "open", "open").category).toBe("refused");
    expect(new ObservationError("x", { reason: "timeout" }).category).toBe("observation");
  });

  it("a subclass inherits its parent's category, and the options can name another", () => {
    class PluginConfigError extends ConfigError {}
    expect(new PluginConfigError("x").category).toBe("config");
    const cause = new Error("root");
    const error = new ConfigError("x", { category: "usage", cause });
    expect(error.category).toBe("usage");
    expect(error.cause).toBe(cause);
    expect(error.message).toBe("[operator] x");
  });
});

describe("checkMonitorOptions", () => {
  it("accepts what createMonitor accepts, without a store", () => {
    expect(() =>
      checkMonitorOptions({ subjects: [scriptedSubject(() => []).subject], intervalMs: 1000 }),
    ).not.toThrow();
  });

  it("refuses what createMonitor refuses, with the same message", () => {
    expect(() => checkMonitorOptions({ subjects: [], intervalMs: 1000, deadlineMs: 1000 })).toThrow(
      /Invalid deadline: 1000ms \(expected more than 0 and below the 1000ms interval\)/,
    );
    const { subject } = scriptedSubject(() => []);
    expect(() => checkMonitorOptions({ subjects: [subject, subject] })).toThrow(
      /Two subjects are named "db"/,
    );
    expect(() => checkMonitorOptions({ subjects: [], flap: { windowMs: -1 } })).toThrow(ConfigError);
  });
});
