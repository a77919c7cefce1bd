import { describe, expect, it } from "vitest";
import * as db from "../src/index.ts";
import * as schema from "../src/schema.ts";

describe("public surface", () => {
  it("exports exactly the documented runtime names", () => {
    expect(Object.keys(db).sort()).toEqual([
      "DEFAULT_PAGE_SIZE",
      "DaemonRunningError",
      "DatabaseError",
      "DatabaseFullError",
      "DatabaseLockedError",
      "DatabaseOpenError",
      "DatabaseReadOnlyError",
      "DatabaseReplacedError",
      "DuplicateOpenTicketError",
      "MAX_PAGE_SIZE",
      "NotADatabaseError",
      "SchemaMissingError",
      "SchemaTooNewError",
      "acquireDaemonLock",
      "openTicketStore",
      "schemaVersion",
    ]);
  });

  it("exports the Drizzle schema apart, as @operator/db/schema", () => {
    expect(Object.keys(schema).sort()).toEqual([
      "cycleLog",
      "keyStates",
      "notificationChannels",
      "notificationDeliveries",
      "silences",
      "subjectIdentities",
      "ticketEvents",
      "ticketSightings",
      "tickets",
      "ticketsCurrent",
    ]);
  });

  it("every error class is an OperatorError and a DatabaseError", async () => {
    const { isOperatorError } = await import("@operator/core");
    const err = new db.DatabaseLockedError("/x/operator.db", 5000);
    expect(err).toBeInstanceOf(db.DatabaseError);
    expect(isOperatorError(err)).toBe(true);
    expect(err.name).toBe("DatabaseLockedError");
    expect(err.message).toBe(
      "[operator] Database /x/operator.db is locked by another process (waited 5000 ms); try again, or stop the other writer",
    );
  });
});
