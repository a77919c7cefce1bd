import { applyOverrides, ObservationError, type Subject, type SubjectFactory } from "@operator/core";
import type { AuthOptions, SecretValue, TlsOptions } from "@operator/subject-kit";
import { createPrometheusClient, type QueryResult } from "@operator/subject-kit";
import type { PromqlObservation, RuleReading } from "./observation.ts";
import { PREFIX, redactOptions, resolveOptions } from "./options.ts";
import { ruleInvariant } from "./rule-invariant.ts";

/** The `kind` of every subject this plugin builds. */
export const SUBJECT_KIND = "promql";

/** One PromQL rule: each series `expr` returns is a violation. */
export interface PromqlRule {
  /** The invariant's name, part of every violation key (`prod/disk_full/{instance="a"}`). */
  name: string;
  /** An instant-query expression whose series are the violations, e.g. `node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1`. */
  expr: string;
  /** One sentence: what must hold. @default "No series matches `<expr>`" */
  description?: string;
  /** How long a series must be returned before its ticket opens (`30s`, `5m`). @default 0 */
  for?: string | number;
  /** How long a series must be gone before its ticket resolves. @default 0 (the first cycle without it) */
  clear?: string | number;
  /** @default "warning" */
  severity?: "critical" | "warning" | "info";
  /** The violation message; `{{ $value }}` and `{{ $labels.instance }}` are replaced. */
  message?: string;
  /** What to check first: one line, or `{ hint, url }`. */
  runbook?: string | { hint: string; url?: string };
  /** An empty answer means all is well (`ok`, like an alert rule), or that the check could not run. @default "ok" */
  noData?: "ok" | "unknown";
}

/** Options of {@link promqlSubject}. */
export interface PromqlOptions {
  /** Your name for what the rules watch (`prod-nodes`), the first part of every violation key. */
  name: string;
  /** The Prometheus to query, e.g. `http://10.0.1.20:9090` or `https://prom.example/prometheus`. */
  prometheusUrl: string;
  /** The rules, each one invariant. */
  rules: PromqlRule[];
  /** Auth, TLS and the body cap for Prometheus. @default {} */
  prometheus?: AuthOptions & {
    headers?: Record<string, SecretValue>;
    tls?: TlsOptions;
    /** Largest answer read, bytes after decompression (1 KiB to 1 GiB). @default 8388608 */
    maxBodyBytes?: number;
  };
  /** Budget of one query attempt in ms; the cycle's deadline caps it. @default 5000 */
  timeoutMs?: number;
  /** Extra attempts of a query after a timeout, a refused connection or 5xx. @default 1 */
  retries?: number;
  /** A rule returning more series than this is `unknown` (a runaway expression). @default 1000 */
  maxSeries?: number;
  /** Overrides per rule name: `enabled`, `severity`, `for`, `clear`. @default {} */
  invariants?: Record<string, Record<string, unknown>>;
}

/**
 * Builds a subject whose invariants are PromQL rules. Each cycle runs every rule's query in parallel;
 * when none can be read (Prometheus down, TLS refused), `observe` throws and every result is
 * `unknown` (`subject_unreachable` opens after a few cycles); a rule whose own query fails is
 * `unknown` alone. Options are checked at once: a bad one throws a `ConfigError` naming it.
 * @example
 * promqlSubject({ name: "nodes", prometheusUrl: "http://prom:9090", rules: [{ name: "target_down", expr: "up == 0", for: "1m" }] })
 */
export const promqlSubject = ((input: PromqlOptions): Subject<PromqlObservation> => {
  const options = resolveOptions(input);
  const invariants = applyOverrides(
    options.rules.map((rule) => ruleInvariant(rule, options.maxSeries)),
    options.invariants,
    options.name,
  );
  const client = createPrometheusClient({
    url: options.prometheusUrl,
    label: `${PREFIX} Prometheus`,
    headers: options.headers,
    tls: options.tls,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    maxBodyBytes: options.maxBodyBytes,
  });
  const subject: Subject<PromqlObservation> = {
    name: options.name,
    kind: SUBJECT_KIND,
    invariants,
    async observe(context) {
      const at = Date.now();
      const enabled = invariants.filter((invariant) => invariant.defaults.enabled).map((i) => i.name);
      const wanted = options.rules.filter((rule) => enabled.includes(rule.name));
      const call = { signal: context.signal, deadline: context.deadline };
      const answers = await Promise.allSettled(wanted.map((rule) => client.query(rule.expr, call)));
      const failures = answers.filter((answer) => answer.status === "rejected");
      if (wanted.length > 0 && failures.length === wanted.length) {
        const first = (failures[0] as PromiseRejectedResult).reason;
        if (first instanceof ObservationError && first.reason !== "client_error") throw first;
      }
      const rules: Record<string, RuleReading> = {};
      wanted.forEach((rule, index) => {
        const answer = answers[index] as PromiseSettledResult<QueryResult>;
        rules[rule.name] =
          answer.status === "fulfilled"
            ? { samples: answer.value.samples, warnings: answer.value.warnings }
            : { error: answer.reason instanceof Error ? answer.reason.message : String(answer.reason) };
      });
      return { at, rules };
    },
  };
  Object.defineProperty(subject, "toJSON", {
    value: () => ({ name: options.name, kind: SUBJECT_KIND, options: redactOptions(options) }),
  });
  return subject;
}) satisfies SubjectFactory<PromqlOptions, PromqlObservation>;
