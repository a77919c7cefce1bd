import { ConfigError } from "./errors.ts";

/**
 * Flap detection settings: Nagios' weighted state-change percentage over the last evaluated states,
 * plus a count of ok→violated onsets within a window.
 */
export interface FlapOptions {
  /** Evaluated states kept per key (ok/violated; unknown is not recorded). @default 21 */
  readonly historySize: number;
  /** Weight of a change between the two oldest states. @default 0.75 */
  readonly lowWeight: number;
  /** Weight of a change between the two newest states. @default 1.25 */
  readonly highWeight: number;
  /** A key starts flapping at this weighted percent state change or more. @default 30 */
  readonly startPercent: number;
  /** A flapping key stops at this percent or less (monitor-semantics rule 5). @default 20 */
  readonly stopPercent: number;
  /** Window (ms) in which onsets are counted. @default 600_000 (10 minutes) */
  readonly windowMs: number;
  /** This many ok→violated onsets within `windowMs` start flapping; 0 turns the rule off. @default 3 */
  readonly onsets: number;
}

/** The flap defaults: 21 states, weights 0.75 → 1.25, start at 30 %, stop at 20 %, 3 onsets in 10 min. */
export const DEFAULT_FLAP_OPTIONS: FlapOptions = {
  historySize: 21,
  lowWeight: 0.75,
  highWeight: 1.25,
  startPercent: 30,
  stopPercent: 20,
  windowMs: 600_000,
  onsets: 3,
};

/** Merges partial flap options over the defaults and checks them; throws a {@link ConfigError}. */
export function resolveFlapOptions(partial: Partial<FlapOptions> = {}): FlapOptions {
  const options = { ...DEFAULT_FLAP_OPTIONS, ...partial };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new ConfigError(`Invalid flap option: ${what}`);
  };
  check(Number.isInteger(options.historySize) && options.historySize >= 3, "historySize must be 3 or more");
  check(options.lowWeight > 0 && options.highWeight >= options.lowWeight, "weights must be 0 < low <= high");
  check(
    options.stopPercent >= 0 && options.startPercent >= options.stopPercent && options.startPercent <= 100,
    "percents must be 0 <= stopPercent <= startPercent <= 100",
  );
  check(Number.isFinite(options.windowMs) && options.windowMs >= 0, "windowMs must be 0 or more");
  check(Number.isInteger(options.onsets) && options.onsets >= 0, "onsets must be an integer, 0 or more");
  return options;
}

/**
 * Weighted percent state change of a history (`o`/`v`, oldest first). Each of the `historySize - 1`
 * adjacent pairs that differ adds a weight rising linearly from `lowWeight` (oldest pair) to
 * `highWeight` (newest pair); the sum is scaled by `100 / (historySize - 1)`. A shorter history uses
 * the pairs it has, weighted as the newest ones. Always within [0, 100] with the default weights.
 */
export function flapPercent(history: string, options: FlapOptions = DEFAULT_FLAP_OPTIONS): number {
  const pairs = options.historySize - 1;
  const states = history.slice(-options.historySize);
  const offset = pairs - (states.length - 1);
  let sum = 0;
  for (let j = 1; j < states.length; j++) {
    if (states[j] === states[j - 1]) continue;
    const i = offset + j - 1;
    sum += options.lowWeight + ((options.highWeight - options.lowWeight) * i) / (pairs - 1);
  }
  return (sum * 100) / pairs;
}

/** A key's flap-relevant state. */
export interface FlapState {
  readonly history: string;
  readonly onsets: readonly number[];
  readonly flapping: boolean;
}

/**
 * Records one evaluated state and decides the flap flag. It starts at `startPercent` or more, or when
 * this state is the `onsets`-th ok→violated change within `windowMs` (so re-openings that are too
 * sparse for the percentage still trip it). It stops at `stopPercent` or less; in between the flag is
 * kept. An empty history counts as ok, so a first violation is an onset.
 */
export function recordFlapState(
  state: FlapState,
  evaluated: "ok" | "violated",
  now: number,
  options: FlapOptions = DEFAULT_FLAP_OPTIONS,
): FlapState {
  const mark = evaluated === "ok" ? "o" : "v";
  const previous = state.history.at(-1) ?? "o";
  const history = (state.history + mark).slice(-options.historySize);
  const onset = mark === "v" && previous === "o";
  let onsets = state.onsets.filter((at) => now - at <= options.windowMs);
  if (onset) onsets.push(now);
  onsets = options.onsets === 0 ? [] : onsets.slice(-options.onsets);
  const percent = flapPercent(history, options);
  const tripped = onset && options.onsets > 0 && onsets.length >= options.onsets;
  let flapping = state.flapping;
  if (percent >= options.startPercent || tripped) flapping = true;
  else if (percent <= options.stopPercent) flapping = false;
  return { history, onsets, flapping };
}

/** Onsets still within the window at `now`. */
export function onsetsInWindow(onsets: readonly number[], now: number, options: FlapOptions): number {
  return onsets.filter((at) => now - at <= options.windowMs).length;
}
