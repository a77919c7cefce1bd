import {
  ConfigError,
  ERROR_CATEGORIES,
  ObservationError,
  OperatorError,
  TicketNotFoundError,
  TransitionError,
  UsageError,
} from "@operator/core";
import { DaemonRunningError, DatabaseError } from "@operator/db";
import { describe, expect, it } from "vitest";
import { classifyError } from "../src/errors.ts";
import { EXIT, EXIT_BY_CATEGORY, exitCodeForCategory } from "../src/exit-codes.ts";

const versions = { operator: "1.2.3", node: "v20.19.0", platform: "linux-x64" };
const codeOf = (error: unknown) => classifyError(error, versions, false).code;

describe("exit codes from error categories", () => {
  it("maps every category to its documented exit code", () => {
    expect(Object.keys(EXIT_BY_CATEGORY).sort()).toEqual([...ERROR_CATEGORIES].sort());
    expect(EXIT_BY_CATEGORY).toEqual({
      config: 2,
      usage: 2,
      database: 4,
      refused: 1,
      observation: 3,
      internal: 70,
    });
  });

  it("each of operator's error classes exits with its category's code", () => {
    expect(codeOf(new ConfigError("bad option"))).toBe(EXIT.usage);
    expect(codeOf(new UsageError("no cluster named"))).toBe(EXIT.usage);
    expect(codeOf(new DatabaseError("/x.db", "cannot open"))).toBe(EXIT.database);
    expect(codeOf(new DaemonRunningError("/x.db", "/x.db.lock", undefined))).toBe(EXIT.database);
    expect(codeOf(new TicketNotFoundError(7))).toBe(EXIT.failure);
    expect(codeOf(new TransitionError(7, "resolved", "acknowledged"))).toBe(EXIT.failure);
    expect(codeOf(new ObservationError("PD timed out", { reason: "timeout" }))).toBe(EXIT.unknown);
  });

  it("follows the category, not the class name", () => {
    class ConfigLooking extends OperatorError {
      override name = "ConfigError";
    }
    expect(codeOf(new ConfigLooking("looks like config"))).toBe(EXIT.internal);
    expect(codeOf(new ConfigError("x", { category: "database" }))).toBe(EXIT.database);
  });

  it("a plain OperatorError is internal: reported as a bug with versions", () => {
    const { code, lines } = classifyError(new OperatorError("The monitor is stopped"), versions, false);
    expect(code).toBe(EXIT.internal);
    expect(lines[0]).toBe("operator: internal error, please report it: The monitor is stopped");
    expect(lines[1]).toBe("operator: operator 1.2.3, node v20.19.0, linux-x64");
  });

  it("an unknown or missing category is internal", () => {
    expect(exitCodeForCategory(undefined)).toBe(EXIT.internal);
    expect(exitCodeForCategory("toString")).toBe(EXIT.internal);
    expect(exitCodeForCategory("config")).toBe(EXIT.usage);
  });
});
