import type { TextStream } from "./output.ts";

/** What every command runs with: its streams, environment and working directory (tests substitute them). */
export interface CommandContext {
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** `--no-color` was given. */
  readonly noColor: boolean;
  /** `--verbose` was given (or `DEBUG` is set). */
  readonly verbose: boolean;
}
