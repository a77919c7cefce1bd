import { SMALL_HEAP_V8_FLAGS } from "../../apps/monitor/src/heap.ts";
import type { SectionId } from "./cli-args.ts";

/**
 * Node flags of a section's process. The cycle cost is measured under the V8 setting `operator
 * monitor` applies (apps/monitor/src/heap.ts), as the memory section's child is: the setting trades
 * CPU for resident memory, and the CPU per cycle should be the daemon's.
 */
export const SECTION_NODE_FLAGS: Partial<Record<SectionId, readonly string[]>> = {
  "cycle-cost": SMALL_HEAP_V8_FLAGS.split(" "),
};
