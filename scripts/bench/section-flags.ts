import { SMALL_HEAP_V8_FLAGS } from "../../apps/monitor/src/heap.ts";
import type { SectionId } from "./cli-args.ts";

/**
 * V8 setting of a section's process, applied by `section-host.ts` before it loads anything else, as
 * `operator monitor` applies its own (apps/monitor/src/heap.ts). The cycle cost is measured under the
 * daemon's setting, as the memory section's child is: the setting trades CPU for resident memory, and
 * the CPU per cycle should be the daemon's. Given on node's command line instead, the same flags leave
 * the young generation at 32 MB rather than the daemon's 2 MB.
 */
export const SECTION_V8_FLAGS: Partial<Record<SectionId, string>> = {
  "cycle-cost": SMALL_HEAP_V8_FLAGS,
};
