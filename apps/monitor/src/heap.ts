import { setFlagsFromString } from "node:v8";

/**
 * The V8 setting long-running commands (`monitor`, `serve`) apply before they load anything else:
 * after each full collection the engine lets the heap grow by 10 % before the next one, instead of
 * the factor it picks from its own speeds (up to 4x). A cycle allocates a lot and keeps little (parsed
 * bodies, evaluations); with the default factor the engine commits several times the live heap for
 * that garbage and the resident size climbs to well above what the daemon needs, at no measurable
 * saving in CPU. scripts/bench/memory-child.mjs applies the same setting, so the memory benchmark measures
 * what runs.
 */
export const SMALL_HEAP_V8_FLAGS = "--heap-growing-percent=10";

/** Applies {@link SMALL_HEAP_V8_FLAGS} to this process. */
export function preferSmallHeap(): void {
  setFlagsFromString(SMALL_HEAP_V8_FLAGS);
}
