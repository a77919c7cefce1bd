import { PrometheusHarnessError } from "../errors.ts";

/** One sample of an instant query: its labels, value and evaluation time (unix seconds). */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestamp: number;
}

interface ApiResponse {
  status: "success" | "error";
  data?: { resultType: string; result: unknown };
  error?: string;
  errorType?: string;
}

/**
 * Runs an instant query against Prometheus's HTTP API. Vectors give one sample per series, a scalar
 * gives one sample without labels; `NaN` and `+Inf` come back as numbers.
 */
export async function instantQuery(
  baseUrl: string,
  promql: string,
  options: { readonly time?: number; readonly timeoutMs?: number } = {},
): Promise<PromSample[]> {
  const at = options.time === undefined ? "" : `&time=${options.time}`;
  const url = `${baseUrl}/api/v1/query?query=${encodeURIComponent(promql)}${at}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
  const body = (await res
    .json()
    .catch(() => ({ status: "error", error: `HTTP ${res.status}` }))) as ApiResponse;
  if (body.status !== "success" || !body.data) {
    throw new PrometheusHarnessError(
      `Prometheus query failed (${body.errorType ?? res.status}: ${body.error}): ${promql}`,
    );
  }
  const { resultType, result } = body.data;
  if (resultType === "scalar") {
    const [ts, value] = result as [number, string];
    return [{ metric: {}, value: Number(value), timestamp: ts }];
  }
  if (resultType !== "vector")
    throw new PrometheusHarnessError(`Expected a vector from ${promql}, got ${resultType}`);
  return (result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
    metric: r.metric,
    value: Number(r.value[1]),
    timestamp: r.value[0],
  }));
}
