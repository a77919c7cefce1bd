import type { EntityResult, Evaluation } from "@operator/core";
import { groupByInstance } from "../join.ts";
import { isMetricFailure, type TikvObservation } from "../observation.ts";
import type { PdMemberInfo } from "../pd-api-schemas.ts";
import type { PdApiObservation, PdMetricName } from "../pd-health.ts";
import type { Sample } from "../prometheus-client.ts";

/** The PD readings of an observation, or why there are none. */
export function pdReadings(observation: TikvObservation): PdApiObservation | { readonly unknown: string } {
  return observation.pd ?? { unknown: "PD's members and health were not read this cycle" };
}

/** A PD member's entity: its name, or its id when PD reports no name. */
export function memberEntity(member: Pick<PdMemberInfo, "name" | "memberId">): string {
  return member.name !== "" ? member.name : member.memberId;
}

/**
 * The Prometheus `instance` values a member's metrics can carry: `host:port` of each client URL
 * (TiUP's scrape targets are PD's client addresses, `10.0.1.10:2379`).
 */
export function memberInstances(member: Pick<PdMemberInfo, "clientUrls">): string[] {
  const instances: string[] = [];
  for (const url of member.clientUrls) {
    try {
      const parsed = new URL(url);
      const port = parsed.port || (parsed.protocol === "https:" ? "443" : "80");
      instances.push(`${parsed.hostname.includes(":") ? `[${parsed.hostname}]` : parsed.hostname}:${port}`);
    } catch {
      // not a URL: no instance for it
    }
  }
  return instances;
}

/**
 * Evaluates a PD-metric invariant for every PD member `/members` lists: `unknown` as a whole when the
 * members or the metric could not be read, `unknown` for a member without a sample; `judge` sees each
 * member with the samples of its instances.
 */
export function evaluateMembers(
  observation: TikvObservation,
  metric: PdMetricName,
  judge: (
    member: PdMemberInfo,
    samples: readonly Sample[],
    query: string,
    all: readonly PdMemberInfo[],
  ) => EntityResult,
): Evaluation {
  const pd = pdReadings(observation);
  if ("unknown" in pd) return pd;
  if ("error" in pd.members)
    return { unknown: `PD's members could not be read: ${pd.members.error.message}` };
  const members = pd.members.members;
  if (members.length === 0) return { unknown: "PD listed no members: the list is not trusted" };
  const reading = pd.metrics[metric];
  if (!reading)
    return {
      unknown: `No Prometheus reading for ${metric}: no Prometheus is configured or the query did not run`,
    };
  if (isMetricFailure(reading)) return { unknown: `Prometheus query failed: ${reading.error.message}` };
  const byInstance = groupByInstance(reading.samples);
  return members.map((member) => {
    const instances = memberInstances(member);
    const samples = instances.flatMap((instance) => byInstance.get(instance) ?? []);
    if (samples.length > 0) return judge(member, samples, reading.query, members);
    const seen = [...byInstance.keys()]
      .sort()
      .slice(0, 5)
      .map((instance) => (instance.length > 80 ? `${instance.slice(0, 79)}…` : instance));
    return {
      entity: memberEntity(member),
      outcome: "unknown",
      reason: `No ${metric} sample for PD member ${memberEntity(member)} (instance ${instances.join(" or ") || "unknown: no client URL"}; Prometheus has ${seen.length > 0 ? seen.join(", ") : "none"})`,
    };
  });
}

/** `PD member pd-2 (http://10.0.1.11:2379)`: how messages name a member. */
export function memberLabel(member: Pick<PdMemberInfo, "name" | "memberId" | "clientUrls">): string {
  const url = member.clientUrls[0];
  return `PD member ${memberEntity(member)}${url ? ` (${url})` : ""}`;
}

/** Seconds as `1.2 s` or `350 ms`; `+Inf` as beyond the largest bucket. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return "beyond the largest bucket";
  return seconds >= 1
    ? `${Number(seconds.toPrecision(3))} s`
    : `${Number((seconds * 1000).toPrecision(3))} ms`;
}
