import { ConfigError } from "./errors.ts";
import { IDENTITY_INVARIANT } from "./identity.ts";
import { assertName } from "./key.ts";
import { checkRunbook } from "./runbook.ts";
import { isSeverity } from "./severity.ts";
import type { Subject } from "./subject.ts";
import { SOURCE_UNREACHABLE_INVARIANT, UNREACHABLE_INVARIANT } from "./unreachable.ts";

/** Invariant names the monitor uses for its own keys; a subject cannot declare them. */
export const RESERVED_INVARIANTS: readonly string[] = [
  UNREACHABLE_INVARIANT,
  SOURCE_UNREACHABLE_INVARIANT,
  IDENTITY_INVARIANT,
];

/**
 * Throws a {@link ConfigError} naming the first thing wrong with a subject's shape: its name and
 * kind, its invariants (unique valid names that the monitor does not reserve, a description,
 * `evaluate`, valid default settings, a valid `runbook` if any), `observe`, and the optional
 * `dispose`, `sources`, `identity`. The monitor runs it on start; the conformance suite runs it on
 * every plugin.
 */
export function checkSubject(subject: Subject<unknown>): void {
  if (typeof subject !== "object" || subject === null) throw new ConfigError("A subject must be an object");
  assertName("subject", subject.name);
  const where = `Subject "${subject.name}"`;
  if (typeof subject.kind !== "string" || !/^[a-z0-9][a-z0-9._-]*$/.test(subject.kind)) {
    throw new ConfigError(
      `${where} has an invalid kind ${JSON.stringify(subject.kind)} (expected e.g. "tikv")`,
    );
  }
  if (typeof subject.observe !== "function") throw new ConfigError(`${where} has no observe()`);
  for (const member of ["dispose", "sources", "identity"] as const) {
    if (subject[member] !== undefined && typeof subject[member] !== "function") {
      throw new ConfigError(`${where}: ${member} must be a function`);
    }
  }
  if (!Array.isArray(subject.invariants) || subject.invariants.length === 0) {
    throw new ConfigError(`${where} declares no invariants`);
  }
  const names = new Set<string>();
  for (const invariant of subject.invariants) {
    assertName("invariant", invariant?.name);
    const at = `${where}, invariant "${invariant.name}"`;
    if (RESERVED_INVARIANTS.includes(invariant.name))
      throw new ConfigError(`${at}: the name is reserved by the monitor`);
    if (names.has(invariant.name)) throw new ConfigError(`${at} is declared twice`);
    names.add(invariant.name);
    if (typeof invariant.description !== "string" || invariant.description.trim() === "") {
      throw new ConfigError(`${at} has no description`);
    }
    if (typeof invariant.evaluate !== "function") throw new ConfigError(`${at} has no evaluate()`);
    const d = invariant.defaults;
    const duration = (value: unknown) => typeof value === "number" && Number.isFinite(value) && value >= 0;
    if (typeof d !== "object" || d === null) throw new ConfigError(`${at} has no default settings`);
    if (typeof d.enabled !== "boolean")
      throw new ConfigError(`${at}: defaults.enabled must be true or false`);
    if (!isSeverity(d.severity))
      throw new ConfigError(`${at}: defaults.severity must be critical, warning or info`);
    if (!duration(d.forMs) || !duration(d.clearMs)) {
      throw new ConfigError(`${at}: defaults.forMs and defaults.clearMs must be 0 ms or more`);
    }
    for (const [name, value] of Object.entries(d.thresholds ?? {})) {
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new ConfigError(`${at}: threshold "${name}" must be a finite number`);
      }
    }
    if (invariant.runbook !== undefined) checkRunbook(invariant.runbook, at);
  }
}
