import { CommanderError } from "commander";
import { escapeText } from "./escape.ts";
import { EXIT, type ExitCode, ExitError, exitCodeForCategory } from "./exit-codes.ts";
import { redact } from "./redact.ts";

/** What the top-level catch prints for an error, and the exit code it ends with. */
export interface Classified {
  readonly code: ExitCode;
  /** Lines for stderr (already prefixed and redacted); empty when nothing should be printed. */
  readonly lines: readonly string[];
}

/** Facts printed with an internal error so a report can be acted on. */
export interface Versions {
  readonly operator: string;
  readonly node: string;
  readonly platform: string;
}

/**
 * Classifies anything a command threw. Operator's own errors (and usage errors from the argument
 * parser) become one line `operator: <message>` with their documented exit code; anything else is a
 * bug: "internal error, please report" with versions, and the stack only when `verbose`.
 */
export function classifyError(error: unknown, versions: Versions, verbose: boolean): Classified {
  if (error instanceof ExitError) {
    return { code: error.code, lines: error.message ? [_line(error.message)] : [] };
  }
  if (error instanceof CommanderError) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") {
      return { code: EXIT.ok, lines: [] };
    }
    if (error.code === "commander.help")
      return { code: error.exitCode === 0 ? EXIT.ok : EXIT.usage, lines: [] };
    return { code: EXIT.usage, lines: [_line(error.message.replace(/^error:\s*/, ""))] };
  }
  if (_isOperatorError(error) && exitCodeOf(error) !== EXIT.internal) {
    const lines = [_line(error.message)];
    if (verbose && error.stack) lines.push(_stack(error.stack));
    return { code: exitCodeOf(error), lines };
  }
  const err = error instanceof Error ? error : new Error(String(error));
  const lines = [
    _line(`internal error, please report it: ${err.message.replace(/^\[operator\]\s*/, "")}`),
    `operator: operator ${versions.operator}, node ${versions.node}, ${versions.platform}`,
  ];
  if (verbose && err.stack) lines.push(_stack(err.stack));
  else lines.push("operator: run again with --verbose (or DEBUG=1) for the stack trace");
  return { code: EXIT.internal, lines };
}

/** The exit code for one of Operator's own errors, from its `category` (see `EXIT_BY_CATEGORY`). */
export function exitCodeOf(error: Error): ExitCode {
  return exitCodeForCategory((error as { category?: unknown }).category);
}

// --- Internal helpers ---

function _line(message: string): string {
  const text = message.replace(/^\[operator\]\s*/, "").replace(/\s*\n\s*/g, " ");
  return `operator: ${escapeText(redact(text.charAt(0).toLowerCase() === text.charAt(0) ? text : _lowerFirst(text)))}`;
}

/** A stack trace: its own lines kept, anything else in them escaped and redacted. */
function _stack(stack: string): string {
  return stack
    .split("\n")
    .map((line) => escapeText(redact(line)))
    .join("\n");
}

/** `No ticket with id 4` -> `no ticket with id 4`, but acronyms and names (`PD`, `Database`) keep case. */
function _lowerFirst(text: string): string {
  const word = /^\S+/.exec(text)?.[0] ?? "";
  return word.length > 1 && word === word.toUpperCase()
    ? text
    : `${text.charAt(0).toLowerCase()}${text.slice(1)}`;
}

function _isOperatorError(error: unknown): error is Error {
  return (
    typeof error === "object" &&
    error !== null &&
    (error as Record<symbol, unknown>)[Symbol.for("@operator/core.OperatorError")] === true
  );
}
