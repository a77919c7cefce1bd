import { DEFAULT_SETTINGS, type Invariant } from "@operator/core";
import type { TikvObservation } from "../observation.ts";
import { CLOCK_WINDOW } from "../pd-health.ts";
import { evaluateMembers, memberEntity, memberLabel } from "./pd-members.ts";

/** Name of the PD clock invariant. */
export const PD_CLOCK_SLOW = "pd_clock_slow";

/**
 * No PD member found its system clock behind the timestamps it already handed out within the last
 * 10 minutes (`pd_tso_events{type="system_time_slow"}`): its clock stepped back or drifts from the
 * other members' (clock skew), and TSO allocation stalls until it catches up. Violated when the
 * counter rose by more than `events` (0). Corrects the official `PD_system_time_slow`, whose
 * `changes()` also counts the counter reset of a restarted PD.
 */
export const pdClockSlow: Invariant<TikvObservation> = {
  name: PD_CLOCK_SLOW,
  description: "No PD member's system clock falls behind the timestamps PD allocated.",
  defaults: { ...DEFAULT_SETTINGS, severity: "warning", forMs: 0, thresholds: { events: 0 } },
  runbook: {
    hint: "Check NTP/chrony on the PD member's host (chronyc tracking, timedatectl) and for manual clock changes",
  },
  evaluate(observation, settings) {
    const threshold = settings.thresholds.events ?? 0;
    return evaluateMembers(observation, "tsoSystemTimeSlow", (member, samples, query) => {
      const entity = memberEntity(member);
      const events = samples.reduce((sum, sample) => sum + sample.value, 0);
      if (Number.isNaN(events))
        return { entity, outcome: "unknown", reason: `PD member ${entity} system-time-slow count is NaN` };
      if (events <= threshold) return { entity, outcome: "ok" };
      const shown = Math.max(1, Math.round(events));
      return {
        entity,
        outcome: "violated",
        message: `${memberLabel(member)} found its system clock behind allocated timestamps ${shown} time${shown === 1 ? "" : "s"} in the last ${CLOCK_WINDOW}: its clock stepped back or drifts`,
        values: { member: entity, events: Number(events.toFixed(3)), thresholdEvents: threshold, query },
      };
    });
  },
};
