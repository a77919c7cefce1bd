import type { Logger } from "../logger.ts";

/** One line a {@link memoryLogger} kept. */
export interface LoggedLine {
  readonly level: "info" | "warn" | "error";
  readonly message: string;
  readonly fields?: Record<string, unknown>;
}

/** A {@link Logger} that keeps its lines, to assert what an operator would read. */
export function memoryLogger(): { logger: Logger; lines: LoggedLine[]; messages: () => string[] } {
  const lines: LoggedLine[] = [];
  const keep =
    (level: LoggedLine["level"]) =>
    (message: string, fields?: Record<string, unknown>): void => {
      lines.push(fields ? { level, message, fields } : { level, message });
    };
  const logger: Logger = { info: keep("info"), warn: keep("warn"), error: keep("error") };
  return { logger, lines, messages: () => lines.map((line) => line.message) };
}
