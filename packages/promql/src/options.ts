import {
  assertName,
  ConfigError,
  type InvariantOverrides,
  isSeverity,
  parseDuration,
  type Severity,
} from "@operator/core";
import {
  assertTlsUrl,
  authOptionsSchema,
  describeTls,
  type ResolvedTls,
  resolveAuth,
  resolveTls,
  tlsOptionsSchema,
  urlProblem,
} from "@operator/subject-kit";
import { z } from "zod";

/** Prefix of every message this plugin writes. */
export const PREFIX = "[operator] [promql]";

/** Default budget of one query attempt (ms). */
export const DEFAULT_TIMEOUT_MS = 5000;
/** Default extra attempts of a query after a transient failure. */
export const DEFAULT_RETRIES = 1;
/** Default cap of one answer (bytes). */
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Most series one rule may return before its evaluation is `unknown` (a runaway expression). */
export const DEFAULT_MAX_SERIES = 1000;

/** One rule as checked: its query, when it counts, and what a violation says. */
export interface ResolvedRule {
  readonly name: string;
  readonly expr: string;
  readonly description: string;
  readonly severity: Severity;
  readonly forMs: number;
  readonly clearMs: number;
  readonly message: string | undefined;
  readonly runbook: { readonly hint: string; readonly url?: string } | undefined;
  readonly noData: "ok" | "unknown";
}

/** The options of {@link promqlSubject} checked, with defaults and secrets read. */
export interface ResolvedOptions {
  readonly name: string;
  readonly prometheusUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: ResolvedTls | undefined;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly maxBodyBytes: number;
  readonly maxSeries: number;
  readonly rules: readonly ResolvedRule[];
  readonly invariants: InvariantOverrides | undefined;
}

/** Checks the options; throws one `ConfigError` naming the first bad option. */
export function resolveOptions(input: unknown): ResolvedOptions {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw new ConfigError(
      `${PREFIX} Options must be an object with \`name\`, \`prometheusUrl\` and \`rules\``,
    );
  }
  const parsed = OPTIONS.safeParse(input);
  if (!parsed.success) throw _toConfigError(parsed.error, input);
  const options = parsed.data;
  assertName("subject", options.name);
  const prometheus = options.prometheus;
  const headers = resolveAuth(prometheus, "prometheus", PREFIX);
  const tls = resolveTls(prometheus?.tls, "prometheus.tls", PREFIX);
  assertTlsUrl(tls, options.prometheusUrl, "prometheus.tls", "prometheusUrl", PREFIX);
  const seen = new Set<string>();
  const rules = options.rules.map((rule, index): ResolvedRule => {
    const where = `rules[${index}]`;
    try {
      assertName("invariant", rule.name);
    } catch (error) {
      throw new ConfigError(
        `${PREFIX} Option \`${where}.name\`: ${(error as Error).message.replace(/^\[operator\] /, "")}`,
      );
    }
    if (seen.has(rule.name)) throw new ConfigError(`${PREFIX} Option \`rules\` names "${rule.name}" twice`);
    seen.add(rule.name);
    const duration = (value: string | number | undefined, field: string) => {
      try {
        return value === undefined ? 0 : parseDuration(value, `${where}.${field}`);
      } catch (error) {
        throw new ConfigError(
          `${PREFIX} Option \`${where}.${field}\`: ${(error as Error).message.replace(/^\[operator\] /, "")}`,
        );
      }
    };
    return {
      name: rule.name,
      expr: rule.expr,
      description: rule.description ?? `No series matches \`${rule.expr}\``,
      severity: rule.severity ?? "warning",
      forMs: duration(rule.for, "for"),
      clearMs: duration(rule.clear, "clear"),
      message: rule.message,
      runbook: _runbook(rule.runbook),
      noData: rule.noData ?? "ok",
    };
  });
  return {
    name: options.name,
    prometheusUrl: options.prometheusUrl.replace(/\/+$/, ""),
    headers,
    tls,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retries: options.retries ?? DEFAULT_RETRIES,
    maxBodyBytes: prometheus?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxSeries: options.maxSeries ?? DEFAULT_MAX_SERIES,
    rules,
    invariants: options.invariants as InvariantOverrides | undefined,
  };
}

/** A copy of the options safe to log: header values as `[redacted]`, TLS as which parts are set. */
export function redactOptions(options: ResolvedOptions): Record<string, unknown> {
  return {
    ...options,
    headers: Object.fromEntries(Object.keys(options.headers).map((key) => [key, "[redacted]"])),
    tls: describeTls(options.tls),
  };
}

// --- Internal helpers ---

const runbook = z.union([
  z.string().min(1),
  z.strictObject({ hint: z.string().min(1), url: z.string().url().optional() }),
]);

const RULE = z.strictObject({
  name: z.string(),
  expr: z.string().trim().min(1),
  description: z.string().min(1).optional(),
  for: z.union([z.string(), z.number()]).optional(),
  clear: z.union([z.string(), z.number()]).optional(),
  severity: z.string().refine(isSeverity, { error: "expected critical, warning or info" }).optional(),
  message: z.string().min(1).optional(),
  runbook: runbook.optional(),
  noData: z.enum(["ok", "unknown"]).optional(),
});

const OPTIONS = z.strictObject({
  name: z.string().min(1),
  prometheusUrl: z.string().superRefine((value, ctx) => {
    const problem = urlProblem(value, "prometheusUrl", "`prometheus.basicAuth`");
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  }),
  prometheus: authOptionsSchema
    .extend({
      tls: tlsOptionsSchema.optional(),
      maxBodyBytes: z
        .number()
        .int()
        .min(1024)
        .max(1024 * 1024 * 1024)
        .optional(),
    })
    .optional(),
  timeoutMs: z.number().int().positive().max(600_000).optional(),
  retries: z.number().int().min(0).max(10).optional(),
  maxSeries: z.number().int().positive().max(100_000).optional(),
  rules: z.array(RULE).min(1, { error: "expected at least one rule" }),
  invariants: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

function _runbook(
  value: string | { hint: string; url?: string | undefined } | undefined,
): ResolvedRule["runbook"] {
  if (value === undefined) return undefined;
  if (typeof value === "string") return { hint: value };
  return value.url === undefined ? { hint: value.hint } : { hint: value.hint, url: value.url };
}

function _toConfigError(error: z.ZodError, input: object): ConfigError {
  const issue = error.issues[0] as z.core.$ZodIssue;
  const option = issue.path
    .map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`))
    .join("")
    .replace(/^\./, "");
  if (issue.code === "custom" && issue.message.startsWith("Option"))
    return new ConfigError(`${PREFIX} ${issue.message}`);
  let value: unknown = input;
  for (const part of issue.path) value = (value as Record<PropertyKey, unknown> | undefined)?.[part];
  if (value === undefined && issue.code !== "unrecognized_keys") {
    return new ConfigError(`${PREFIX} Missing required option \`${option}\``);
  }
  if (issue.code === "unrecognized_keys") {
    const where = option === "" ? "Options have" : `Option \`${option}\` has`;
    return new ConfigError(`${PREFIX} ${where} no setting \`${issue.keys.join("`, `")}\``);
  }
  return new ConfigError(
    `${PREFIX} Invalid option \`${option}\`: ${issue.message.replace(/^Invalid input: /, "")}`,
  );
}
