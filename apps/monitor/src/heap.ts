/**
 * The V8 setting long-running commands (`monitor`, `serve`) apply before they load anything else:
 * after each full collection the engine lets the heap grow by 40 % before the next one, instead of
 * the factor it picks from its own speeds (up to 4x). A cycle allocates a lot and keeps little (parsed
 * bodies, evaluations; the heap in use after a full collection is about 16 MB at 10 stores and at
 * 1,000); with the default factor the engine commits several times that for garbage and the resident
 * size climbs well above what the daemon needs. A smaller step costs CPU instead: at 10 % a 1,000-store
 * cycle ran a full collection every other cycle, and the cycle took 157-182 ms of CPU against
 * 106-136 ms at 40 % (`pnpm bench --only cycle-cost --stores 1000`, alternating runs), for no resident
 * memory saved (10 stores, 5,000 cycles: 86 MB either way; 1,000 stores, 300 cycles: 93-96 MB either
 * way); 100 % saved no more CPU than 40 %. The young generation stays at its initial size (two 1 MB
 * semi-spaces) instead of growing to 32 MB: the daemon's allocations are short-lived, so a scavenge
 * of a small young generation is cheap, and the 30 MB it would otherwise hold is a third of a small
 * daemon's resident size. The benchmark's cycle cost is measured under this setting, and
 * scripts/bench/memory-child.mjs applies the same one, so the memory benchmark measures what runs.
 */
export const SMALL_HEAP_V8_FLAGS = "--heap-growing-percent=40 --semi-space-growth-factor=1";

/**
 * Applies {@link SMALL_HEAP_V8_FLAGS} to this process. `node:v8` is loaded here, not at the top: a
 * short command such as `tickets list` would pay about 5 ms to load a module it never uses.
 */
export async function preferSmallHeap(): Promise<void> {
  const { setFlagsFromString } = await import("node:v8");
  setFlagsFromString(SMALL_HEAP_V8_FLAGS);
}
