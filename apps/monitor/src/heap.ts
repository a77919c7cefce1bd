/**
 * The V8 setting long-running commands (`monitor`, `serve`) apply before they load anything else:
 * after each full collection the engine lets the heap grow by 10 % before the next one, instead of
 * the factor it picks from its own speeds (up to 4x). A cycle allocates a lot and keeps little (parsed
 * bodies, evaluations); with the default factor the engine commits several times the live heap for
 * that garbage and the resident size climbs to well above what the daemon needs, at no measurable
 * saving in CPU. The young generation also stays at its initial size (two 1 MB semi-spaces) instead of
 * growing to 32 MB: the daemon's allocations are short-lived, so a scavenge of a small young generation
 * is cheap, and the 30 MB it would otherwise hold is a quarter of a small daemon's resident size
 * (10 stores, 4,000 back-to-back cycles: 135 MB -> 110 MB; 1,000 stores, 300 cycles: 135 MB ->
 * 102 MB). The collector works more for it: a cycle at 1,000 stores costs about half as much CPU
 * again (real Prometheus, median of 5 cycles: 298 ms without the setting, 456 ms with it). The
 * benchmark's cycle cost is measured under this setting.
 * scripts/bench/memory-child.mjs applies the same setting, so the memory benchmark measures what runs.
 */
export const SMALL_HEAP_V8_FLAGS = "--heap-growing-percent=10 --semi-space-growth-factor=1";

/**
 * Applies {@link SMALL_HEAP_V8_FLAGS} to this process. `node:v8` is loaded here, not at the top: a
 * short command such as `tickets list` would pay about 5 ms to load a module it never uses.
 */
export async function preferSmallHeap(): Promise<void> {
  const { setFlagsFromString } = await import("node:v8");
  setFlagsFromString(SMALL_HEAP_V8_FLAGS);
}
