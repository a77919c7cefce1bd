/** Where the monitor writes its lines. `fields` carry the same facts in structured form. */
export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Plain lines on stderr: the message as is for `info`, prefixed `Warning:` or `Error:` otherwise.
 * Structured fields are left to loggers that can keep them (JSON, metrics).
 */
export const consoleLogger: Logger = {
  info: (message) => console.error(message),
  warn: (message) => console.error(`Warning: ${message}`),
  error: (message) => console.error(`Error: ${message}`),
};

/** A logger that drops everything. */
export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
};
