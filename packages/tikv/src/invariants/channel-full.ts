import { eventInvariant } from "./event-counter.ts";
import type { MetricInvariant } from "./metric-invariant.ts";

/**
 * No store drops messages because an internal channel is full (`tikv_channel_full_total`, per
 * channel `type`) within `windowMinutes` (10), as the official `TiKV_channel_full_total` (critical
 * after 1 m), counting the first event the official `rate()` misses (the counter is created at it).
 */
export const channelFull: MetricInvariant = eventInvariant({
  name: "channel_full",
  description: "No TiKV store finds an internal message channel (raftstore, apply) full.",
  severity: "critical",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's raftstore and apply thread CPU and their pending tasks: the pool cannot keep up with the messages sent to it",
  },
  metric: "tikv_channel_full_total",
  by: "type",
  key: "channelFull",
  noun: "full-channel events",
  windowMinutes: 10,
  consequence: "raft messages are being dropped",
});
