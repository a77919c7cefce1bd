import type { MetricInvariant } from "./metric-invariant.ts";
import { quantileInvariant } from "./quantile-invariant.ts";

/**
 * Regions get split: the p99 of the approximate region sizes each store's split checker measures
 * stays at or below `p99Bytes` (1 GiB). The official `TiKV_approximate_region_size` takes the p99
 * over the whole cluster (`by (le)`); here it is per store, so the ticket names where splits lag.
 */
export const approximateRegionSize: MetricInvariant = quantileInvariant({
  name: "approximate_region_size",
  description:
    "Regions on every TiKV store stay below the threshold size (p99 of the split checker's estimates).",
  severity: "warning",
  forMs: 60_000,
  runbook: {
    hint: "Check the store's split check panels and tikv.log for failed splits; compare coprocessor.region-max-size with the sizes pd-ctl region topsize reports",
  },
  metric: "tikv_raftstore_region_size",
  quantile: 0.99,
  key: "regionSizeP99",
  threshold: { name: "p99Bytes", value: 1024 ** 3 },
  unit: "bytes",
  what: "approximate region size p99",
  consequence: "oversized regions slow snapshots, balancing and recovery",
});
