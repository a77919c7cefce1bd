import { PREFIX } from "./errors.ts";
import { isMetricFailure, isRegionFailure, type SourceFailure, type TikvObservation } from "./observation.ts";

/** Source name of the Prometheus queries in `Subject.sources`. */
export const PROMETHEUS_SOURCE = "prometheus";
/** Source name of PD's region checks in `Subject.sources` (PD's store list is the primary source). */
export const REGION_CHECKS_SOURCE = "pd_region_checks";
/** Source name of PD's `/health` and `/members` reads in `Subject.sources`. */
export const PD_MEMBERS_SOURCE = "pd_members";

/**
 * The secondary sources an observation read, for `Subject.sources`: `prometheus` (when configured and
 * at least one query ran) and `pd_region_checks`, each `null` when it answered or one line saying why
 * it could not be read. A source counts as failed when a request failed: no connection, a timeout,
 * an auth or other error status, a refused or invalid body, Prometheus's `status: "error"`. A query
 * that answered with no samples is an answer. A read cancelled at shutdown leaves its source out.
 */
export function observedSources(observation: TikvObservation): Record<string, string | null> {
  const sources: Record<string, string | null> = {};
  const readings = [...Object.values(observation.metrics), ...Object.values(observation.pd?.metrics ?? {})];
  const prometheus = _verdict(
    readings.map((reading) => (isMetricFailure(reading) ? reading.error : null)),
    "queries",
  );
  if (prometheus !== undefined) sources[PROMETHEUS_SOURCE] = prometheus;
  const regions = observation.regions;
  const checks = _verdict([isRegionFailure(regions) ? regions.error : null], "checks");
  if (checks !== undefined) sources[REGION_CHECKS_SOURCE] = checks;
  const pd = observation.pd;
  if (pd) {
    const members = _verdict(
      [pd.health, pd.members].map((part) => ("error" in part ? part.error : null)),
      "reads",
    );
    if (members !== undefined) sources[PD_MEMBERS_SOURCE] = members;
  }
  return sources;
}

// --- Internal helpers ---

/** Longest reason kept (characters). */
const MAX_REASON = 300;

/** `null` when every read answered, the reason when one failed, undefined when none counts. */
function _verdict(results: readonly (SourceFailure | null)[], noun: string): string | null | undefined {
  const counted = results.filter((result) => result?.reason !== "aborted");
  if (counted.length === 0) return undefined;
  const failures = counted.filter((result): result is SourceFailure => result !== null);
  const first = failures[0];
  if (!first) return null;
  const line = first.message.replace(`${PREFIX} `, "").replace(/\s+/g, " ").trim();
  const prefix =
    failures.length < counted.length ? `${failures.length} of ${counted.length} ${noun} failed: ` : "";
  const reason = `${prefix}${line}`;
  return reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason;
}
