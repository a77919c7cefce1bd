import type { Subject } from "@operator/core";
import type { CliLogger } from "./logger.ts";
import { redactDeep } from "./redact.ts";
import type { RunSettings } from "./settings.ts";

/**
 * Logs, at debug level, the settings as resolved from flags, environment and config file: database,
 * timings, and each subject's package, origin and options. Secrets are registered for redaction
 * before this runs, and the logger redacts every line; the options also pass through `redactDeep`.
 */
export function logResolvedSettings(logger: CliLogger, settings: RunSettings): void {
  const { subjects, ...rest } = settings;
  const resolved = {
    ...rest,
    subjects: subjects.map((spec) => ({
      package: spec.packageName,
      origin: spec.origin,
      options: redactDeep(spec.options),
    })),
  };
  logger.debug(`Settings as resolved: ${JSON.stringify(resolved)}`, { settings: resolved });
}

/**
 * `subject` with each `observe` timed: a debug line per read with how long it took, or how long
 * until it failed and why. Sources and identity are kept as they are.
 */
export function timedSubject(subject: Subject, logger: CliLogger): Subject {
  return {
    ...subject,
    async observe(context) {
      const started = performance.now();
      try {
        const observation = await subject.observe(context);
        const ms = Math.round(performance.now() - started);
        logger.debug(`Subject ${subject.name} read in ${ms} ms`, { subject: subject.name, ms });
        return observation;
      } catch (error) {
        const ms = Math.round(performance.now() - started);
        const reason = error instanceof Error ? error.message : String(error);
        logger.debug(`Subject ${subject.name} read failed after ${ms} ms: ${reason}`, {
          subject: subject.name,
          ms,
        });
        throw error;
      }
    },
  };
}
