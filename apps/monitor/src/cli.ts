import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { registerCheckCommand } from "./commands/check.ts";
import { registerMonitorCommand } from "./commands/monitor.ts";
import { registerNotificationsCommand } from "./commands/notifications.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { registerSilencesCommand } from "./commands/silences.ts";
import { registerTicketsCommand } from "./commands/tickets.ts";
import type { CommandContext } from "./context.ts";
import { classifyError } from "./errors.ts";
import { EXIT } from "./exit-codes.ts";
import type { TextStream } from "./output.ts";
import { redact } from "./redact.ts";
import { VERSION, versions } from "./version.ts";

const EXIT_CODES_HELP = `
Exit codes:
  0   success (check: every invariant passed)
  1   check found violations, or a command failed (unknown ticket id, refused transition)
  2   usage error: unknown flag, bad value, missing or invalid configuration
  3   check could not read something (some results are unknown)
  4   the database cannot be used (missing, locked, read-only, not a database, too new)
  70  internal error (a bug: please report it)

Data goes to stdout, logs and errors to stderr. NO_COLOR disables colours.
Documentation: docs/cli.md`;

/** Streams and environment for {@link main}; defaults are the process's own. */
export type MainOptions = Partial<Pick<CommandContext, "stdout" | "stderr" | "env" | "cwd">>;

/**
 * Builds the `operator` program. Every command reads its context through `context()`, which
 * resolves global flags (`--verbose`, `--no-color`) after parsing.
 */
export function createProgram(options: MainOptions = {}): Command {
  const stdout = _redacting(options.stdout ?? process.stdout);
  const stderr = _redacting(options.stderr ?? process.stderr);
  const env = options.env ?? process.env;
  const program = new Command("operator");
  const context = (): CommandContext => {
    const globals = program.opts<{ verbose?: boolean; color?: boolean }>();
    return {
      stdout,
      stderr,
      env,
      cwd: options.cwd ?? process.cwd(),
      noColor: globals.color === false,
      verbose: globals.verbose === true || _truthy(env.DEBUG),
    };
  };
  program
    .description("Watch distributed database clusters and turn what breaks into tickets.")
    .version(`operator ${VERSION}`, "-V, --version", "print the version and exit")
    .option("-v, --verbose", "debug log lines (settings as resolved, each read's duration) and stack traces")
    .addOption(new Option("--no-color", "never colour output (NO_COLOR works too)"))
    .helpOption("-h, --help", "show help for a command")
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (text) => stdout.write(text),
      writeErr: (text) => stderr.write(text),
      outputError: () => undefined,
    })
    .exitOverride()
    .addHelpText("after", EXIT_CODES_HELP);
  registerMonitorCommand(program, context);
  registerCheckCommand(program, context);
  registerTicketsCommand(program, context);
  registerNotificationsCommand(program, context);
  registerSilencesCommand(program, context);
  registerServeCommand(program, context);
  _rememberFailingCommand(program);
  return program;
}

/**
 * Runs `operator` with `argv` (without node and script) and resolves to its exit code. The single
 * place that turns errors into messages and exit codes; it never throws.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const stderr = _redacting(options.stderr ?? process.stderr);
  const env = options.env ?? process.env;
  const verbose = argv.includes("--verbose") || argv.includes("-v") || _truthy(env.DEBUG);
  const report = (error: unknown): number => {
    const { code, lines } = classifyError(error, versions(), verbose);
    const hint =
      error instanceof CommanderError && code === EXIT.usage ? USAGE_HINTS.get(program) : undefined;
    lines.forEach((line, i) => {
      stderr.write(`${line}${i === 0 && hint ? ` (see: ${hint} --help)` : ""}\n`);
    });
    return code;
  };
  const program = createProgram(options);
  let crashed = false;
  const crash = (error: unknown) => {
    if (crashed) return;
    crashed = true;
    void exitWhenFlushed(report(error));
  };
  process.on("uncaughtException", crash);
  process.on("unhandledRejection", crash);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    return report(error);
  } finally {
    process.off("uncaughtException", crash);
    process.off("unhandledRejection", crash);
  }
}

/**
 * Runs `operator` as the process itself (what `bin.cjs` calls): a reader that goes away early
 * (`operator tickets list | head`) ends the output quietly instead of crashing, and the process
 * exits with {@link main}'s code only after everything written to stdout and stderr has been
 * handed to the operating system, so `operator check --json | jq` gets the whole document.
 */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<never> {
  for (const stream of [process.stdout, process.stderr]) stream.on("error", _onOutputError);
  return exitWhenFlushed(await main(argv));
}

/** Waits until stdout and stderr have flushed what was written to them, then exits with `code`. */
export async function exitWhenFlushed(code: number): Promise<never> {
  await Promise.all([_flushed(process.stdout), _flushed(process.stderr)]);
  process.exit(code);
}

// --- Internal helpers ---

/** A closed pipe on stdout or stderr means the reader has all it wants: stop writing, nothing more. */
function _onOutputError(error: NodeJS.ErrnoException): void {
  if (error.code === "EPIPE") return;
  throw error;
}

/** Resolves once `stream` has written everything queued before this call (or can no longer write). */
function _flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || stream.writableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.write("", () => resolve());
  });
}

/** For each program, the command line (`operator tickets list`) of the command whose parsing failed. */
const USAGE_HINTS = new WeakMap<Command, string>();

/** Records which (sub)command reports a usage error, so the one-line message can point at its help. */
function _rememberFailingCommand(program: Command): void {
  const visit = (command: Command, path: string): void => {
    command.configureOutput({
      ...command.configureOutput(),
      outputError: () => {
        USAGE_HINTS.set(program, path);
      },
    });
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`);
  };
  visit(program, "operator");
}

/** `stream` with every write passed through {@link redact}: data output cannot leak a secret either. */
function _redacting(stream: TextStream): TextStream {
  return {
    write: (chunk: string) => stream.write(redact(chunk)),
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
  };
}

function _truthy(value: string | undefined): boolean {
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

function _isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (_isEntryPoint()) void run();
