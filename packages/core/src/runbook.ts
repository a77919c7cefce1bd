import { ConfigError } from "./errors.ts";
import type { Runbook } from "./subject.ts";

/** Longest runbook hint, characters: one line a person reads at a glance. */
const MAX_RUNBOOK_HINT = 500;

/**
 * Throws a {@link ConfigError} (prefixed with `at`) unless `runbook` is an object with a one-line
 * `hint` of 1 to 500 characters and, if any, an http(s) `url`.
 */
export function checkRunbook(runbook: unknown, at: string): asserts runbook is Runbook {
  const r = runbook as { hint?: unknown; url?: unknown } | null;
  if (typeof r !== "object" || r === null) throw new ConfigError(`${at}: runbook must be an object`);
  if (typeof r.hint !== "string" || r.hint.trim() === "" || r.hint.length > MAX_RUNBOOK_HINT) {
    throw new ConfigError(`${at}: runbook.hint must be one line of 1 to ${MAX_RUNBOOK_HINT} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a hint is one line without control characters
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(r.hint)) {
    throw new ConfigError(`${at}: runbook.hint must be one line without control characters`);
  }
  if (r.url === undefined) return;
  let protocol = "";
  try {
    protocol = typeof r.url === "string" ? new URL(r.url).protocol : "";
  } catch {}
  if (protocol !== "http:" && protocol !== "https:") {
    throw new ConfigError(`${at}: runbook.url must be an http or https URL`);
  }
}

/**
 * The runbook of an invariant after a configuration override: `hint` and `url` replace the plugin's
 * field by field (so a team can point `url` at its own runbook and keep the hint). Throws a
 * {@link ConfigError} naming `where` for an unknown field or an invalid result.
 */
export function mergeRunbook(base: Runbook | undefined, override: unknown, where: string): Runbook {
  if (typeof override !== "object" || override === null || Array.isArray(override)) {
    throw new ConfigError(`${where}.runbook must be an object with "hint" and/or "url"`);
  }
  for (const field of Object.keys(override)) {
    if (field !== "hint" && field !== "url") {
      throw new ConfigError(`${where}.runbook has no field "${field}" (known: hint, url)`);
    }
  }
  const merged = { ...base, ...(override as Partial<Runbook>) };
  checkRunbook(merged, where);
  return merged;
}
