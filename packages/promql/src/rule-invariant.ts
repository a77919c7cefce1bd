import type { EntityResult, Invariant } from "@operator/core";
import type { Sample } from "@operator/subject-kit";
import { isFailedReading, type PromqlObservation } from "./observation.ts";
import type { ResolvedRule } from "./options.ts";

/**
 * The invariant of one rule: every series its expression returns is a violation, keyed by the
 * series' labels (`{instance="10.0.1.1:20180",job="tikv"}`), like a Prometheus alert. A series that
 * is gone counts as ok. A failed query is `unknown`; so is an empty answer when the rule says
 * `noData: "unknown"`, and an answer of more than `maxSeries` series.
 */
export function ruleInvariant(rule: ResolvedRule, maxSeries: number): Invariant<PromqlObservation> {
  return {
    name: rule.name,
    description: rule.description,
    defaults: {
      enabled: true,
      severity: rule.severity,
      forMs: rule.forMs,
      clearMs: rule.clearMs,
      thresholds: {},
    },
    ...(rule.runbook ? { runbook: rule.runbook } : {}),
    evaluate(observation) {
      const reading = observation.rules[rule.name];
      if (reading === undefined) return { unknown: "the rule was not queried this cycle" };
      if (isFailedReading(reading)) return { unknown: reading.error };
      if (reading.samples.length === 0 && rule.noData === "unknown") {
        return { unknown: `no series for \`${rule.expr}\` (noData: unknown)` };
      }
      if (reading.samples.length > maxSeries) {
        return {
          unknown: `\`${rule.expr}\` returned ${reading.samples.length} series, more than maxSeries ${maxSeries}`,
        };
      }
      const results = new Map<string, EntityResult>();
      for (const sample of reading.samples) {
        const entity = seriesEntity(sample.labels);
        results.set(entity, {
          entity,
          outcome: "violated",
          message: renderMessage(rule, sample, entity),
          values: { value: _jsonNumber(sample.value), labels: _withoutName(sample.labels) },
        });
      }
      return [...results.values()];
    },
  };
}

/** A series' labels in PromQL's notation, sorted, without `__name__`: `{instance="a",job="b"}`; `{}` for none. */
export function seriesEntity(labels: Readonly<Record<string, string>>): string {
  const parts = Object.entries(_withoutName(labels))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `{${parts.join(",")}}`;
}

/**
 * The violation message: the rule's `message` with `{{ $value }}` and `{{ $labels.<name> }}`
 * replaced (as in Prometheus annotations), or `<rule> is firing for <labels> (value <value>)`.
 * Label values are shortened to 200 characters and stripped of control characters.
 */
export function renderMessage(rule: ResolvedRule, sample: Sample, entity: string): string {
  const value = _shown(sample.value);
  if (rule.message === undefined) return `${rule.name} is firing for ${_clean(entity)} (value ${value})`;
  return rule.message
    .replace(/\{\{\s*\$value\s*\}\}/g, value)
    .replace(/\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_match, name: string) =>
      _clean(sample.labels[name] ?? ""),
    );
}

// --- Internal helpers ---

function _withoutName(labels: Readonly<Record<string, string>>): Record<string, string> {
  const { __name__: _name, ...rest } = labels;
  return rest;
}

function _jsonNumber(value: number): number | string {
  return Number.isFinite(value) ? value : String(value);
}

function _shown(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  return String(Number(value.toPrecision(6)));
}

function _clean(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const stripped = text.replace(/[\u0000-\u001f\u007f]/g, " ");
  return stripped.length > 200 ? `${stripped.slice(0, 200)}…` : stripped;
}
