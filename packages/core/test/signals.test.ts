import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryTicketStore } from "../src/memory-store.ts";
import { createMonitor } from "../src/monitor.ts";
import { stopOnSignals } from "../src/signals.ts";
import type { EntityResult } from "../src/subject.ts";
import { memoryLogger, scriptedSubject } from "./helpers.ts";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("stopOnSignals (rule 10)", () => {
  it("the first SIGTERM lets the cycle in flight finish, the second exits at once", async () => {
    let release: (results: readonly EntityResult[]) => void = () => {};
    const scripted = scriptedSubject(() => new Promise((resolve) => (release = resolve)));
    const log = memoryLogger();
    const monitor = createMonitor({
      subjects: [scripted.subject],
      store: createMemoryTicketStore(),
      logger: log.logger,
    });
    const forced: string[] = [];
    const before = process.listenerCount("SIGTERM");
    const dispose = stopOnSignals(monitor, {
      logger: log.logger,
      onForceExit: (signal) => forced.push(signal),
    });
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    try {
      const running = monitor.run();
      await vi.advanceTimersByTimeAsync(10);
      process.emit("SIGTERM", "SIGTERM");
      await vi.advanceTimersByTimeAsync(10);
      expect(forced).toEqual([]);
      expect(log.messages()).not.toContain("Monitor loop stopped");
      process.emit("SIGTERM", "SIGTERM");
      expect(forced).toEqual(["SIGTERM"]);
      release([]);
      await running;
      expect(log.messages()).toEqual([
        "Received SIGTERM: finishing the cycle in flight (send it again to exit at once)",
        "Received SIGTERM again: exiting without waiting for the cycle in flight",
        "Check complete: 1 invariant, all passing (20ms)",
        "Monitor loop stopped",
      ]);
    } finally {
      dispose();
    }
    expect(process.listenerCount("SIGTERM")).toBe(before);
  });

  it("exits with 130 on a second SIGINT by default", () => {
    const handlers = new Map<string, (signal: NodeJS.Signals) => void>();
    const exits: (number | undefined)[] = [];
    const target = {
      on: (signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) =>
        handlers.set(signal, listener),
      off: (signal: NodeJS.Signals) => handlers.delete(signal),
      exit: (code?: number) => exits.push(code),
    };
    let stops = 0;
    const dispose = stopOnSignals(
      { stop: async () => void stops++ },
      { process: target, logger: memoryLogger().logger },
    );
    handlers.get("SIGINT")?.("SIGINT");
    handlers.get("SIGINT")?.("SIGINT");
    expect(stops).toBe(1);
    expect(exits).toEqual([130]);
    dispose();
    expect(handlers.size).toBe(0);
  });
});
