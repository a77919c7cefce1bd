import { checkDurationMs, parseDuration } from "./duration.ts";
import { ConfigError } from "./errors.ts";
import { mergeRunbook } from "./runbook.ts";
import { isSeverity } from "./severity.ts";
import type { Invariant, InvariantOverride, InvariantOverrides, InvariantSettings } from "./subject.ts";

/** Defaults for invariants that do not say otherwise. */
export const DEFAULT_SETTINGS: InvariantSettings = {
  enabled: true,
  severity: "warning",
  forMs: 0,
  clearMs: 0,
  thresholds: {},
};

/**
 * Merges one override into settings, checking every field. Thresholds merge key by key. A `runbook`
 * field is not a setting: {@link applyOverrides} applies it to the invariant.
 */
export function mergeSettings(
  base: InvariantSettings,
  override: InvariantOverride,
  where: string,
): InvariantSettings {
  const out = { ...base, thresholds: { ...base.thresholds } };
  for (const [field, value] of Object.entries(override)) {
    switch (field) {
      case "enabled":
        if (typeof value !== "boolean") throw new ConfigError(`${where}.enabled must be true or false`);
        out.enabled = value;
        break;
      case "severity":
        if (!isSeverity(value)) throw new ConfigError(`${where}.severity must be critical, warning or info`);
        out.severity = value;
        break;
      case "for":
      case "clear":
        if (typeof value !== "string" && typeof value !== "number") {
          throw new ConfigError(
            `${where}.${field} must be a duration such as "30s" or a number of milliseconds`,
          );
        }
        out[field === "for" ? "forMs" : "clearMs"] = parseDuration(value, `${where}.${field}`);
        break;
      case "forMs":
      case "clearMs":
        if (typeof value !== "number") {
          throw new ConfigError(`${where}.${field} must be a number of milliseconds`);
        }
        out[field] = checkDurationMs(value, `${where}.${field}`);
        break;
      case "thresholds":
        for (const [name, threshold] of Object.entries(value as Record<string, unknown>)) {
          if (!(name in base.thresholds)) {
            const known = Object.keys(base.thresholds).join(", ") || "none";
            throw new ConfigError(`${where}.thresholds has no "${name}" (known: ${known})`);
          }
          if (typeof threshold !== "number" || !Number.isFinite(threshold)) {
            throw new ConfigError(`${where}.thresholds.${name} must be a finite number`);
          }
          out.thresholds[name] = threshold;
        }
        break;
      case "runbook":
        break;
      default:
        throw new ConfigError(`${where} has no setting "${field}"`);
    }
  }
  return out;
}

/**
 * Applies configuration overrides to a plugin's invariants. Throws a {@link ConfigError} naming an
 * unknown invariant or a bad value. Plugins call it in their factory.
 */
export function applyOverrides<O>(
  invariants: readonly Invariant<O>[],
  overrides: InvariantOverrides | undefined,
  subject: string,
): Invariant<O>[] {
  const byName = new Map(invariants.map((invariant) => [invariant.name, invariant]));
  for (const name of Object.keys(overrides ?? {})) {
    if (!byName.has(name)) {
      throw new ConfigError(
        `Subject "${subject}" has no invariant "${name}" (known: ${[...byName.keys()].join(", ")})`,
      );
    }
  }
  return invariants.map((invariant) => {
    const override = overrides?.[invariant.name];
    if (!override) return invariant;
    const where = `${subject}.invariants.${invariant.name}`;
    const defaults = mergeSettings(invariant.defaults, override, where);
    const runbook =
      override.runbook === undefined
        ? invariant.runbook
        : mergeRunbook(invariant.runbook, override.runbook, where);
    return {
      ...invariant,
      defaults,
      ...(runbook === undefined ? {} : { runbook }),
      evaluate: invariant.evaluate.bind(invariant),
    };
  });
}
