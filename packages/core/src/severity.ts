/** How urgent a problem is. Ordered from most to least urgent. */
export type Severity = "critical" | "warning" | "info";

/** Every severity, most urgent first. */
export const SEVERITIES: readonly Severity[] = ["critical", "warning", "info"];

/** True when `value` names a severity. */
export function isSeverity(value: unknown): value is Severity {
  return typeof value === "string" && (SEVERITIES as readonly string[]).includes(value);
}
