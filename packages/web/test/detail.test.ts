import { describe, expect, it } from "vitest";
import { type Detail, detailFailed, detailReading } from "../page/detail.ts";
import { ticket } from "./fixtures.ts";

const shown: Detail = {
  phase: "ready",
  ticket: { ...ticket({ id: 7 }), firstValues: {}, lastValues: {}, events: [] },
};

describe("the ticket view's state", () => {
  it("keeps the ticket on screen while it is read again, and shows a loading state for another one", () => {
    expect(detailReading(shown, 7)).toBe(shown);
    expect(detailReading(shown, 8)).toEqual({ phase: "loading", id: 8 });
    expect(detailReading({ phase: "none" }, 7)).toEqual({ phase: "loading", id: 7 });
  });

  it("keeps a ticket on screen when reading it again fails, with the failure noted", () => {
    const after = detailFailed(shown, 7, "Cannot reach the server", false);
    expect(after).toEqual({ ...shown, stale: "Cannot reach the server" });
  });

  it("shows the failure instead when the ticket is gone, is another one, or was never read", () => {
    expect(detailFailed(shown, 7, "There is no ticket #7.", true)).toEqual({
      phase: "error",
      id: 7,
      message: "There is no ticket #7.",
    });
    expect(detailFailed(shown, 8, "HTTP 500", false)).toEqual({ phase: "error", id: 8, message: "HTTP 500" });
    expect(detailFailed({ phase: "loading", id: 7 }, 7, "HTTP 500", false)).toEqual({
      phase: "error",
      id: 7,
      message: "HTTP 500",
    });
  });
});
