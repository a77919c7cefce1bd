import type { Command } from "commander";
import { Option } from "commander";
import type { CommandContext } from "../context.ts";
import { logResolvedSettings } from "../debug-log.ts";
import { createLogger } from "../logger.ts";
import { addRunOptions, optionSources } from "./run-options.ts";

/** Registers `operator check`: one cycle, findings on stdout, exit 0/1/3. */
export function registerCheckCommand(program: Command, context: () => CommandContext): void {
  const command = program
    .command("check")
    .description(
      "run one cycle and print the findings: exit 0 when all pass, 1 on violations, 3 when something could not be read",
    );
  addRunOptions(command)
    .addOption(new Option("--no-db", "do not record the cycle: keep tickets in memory only"))
    .option("--json", "print the result as JSON (schema in docs/cli.md)")
    .addHelpText(
      "after",
      `
The cycle is recorded in the database like a monitor cycle (tickets open and resolve) unless --no-db.
Exit codes: 0 all invariants pass, 1 at least one violation, 3 nothing violated but something could
not be read (unknown results), 2 usage or configuration error, 4 database error.`,
    )
    .action(async (flags, cmd: Command) => {
      const ctx = context();
      const { resolveRunSettings } = await import("../settings.ts");
      const settings = await resolveRunSettings(flags, optionSources(cmd), ctx.env, ctx.cwd);
      const { runCheck } = await import("../check.ts");
      const logger = createLogger(settings.logFormat, ctx.stderr, Date.now, { debug: ctx.verbose });
      logResolvedSettings(logger, settings);
      await runCheck(ctx, settings, logger, flags.json === true);
    });
}
