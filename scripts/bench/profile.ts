import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";

/** Share of CPU time spent in one function (self time, not counting its callees). */
export interface HotSpot {
  /** `function (path)`, the path relative to the repository or to node_modules. */
  readonly where: string;
  readonly ms: number;
  readonly share: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IDLE = new Set(["(idle)", "(program)"]);
/** The inspector session's own native messaging: the profiler measuring itself, left out. */
const PROFILER_MESSAGING = "dispatch";

/**
 * Runs `body` under V8's sampling CPU profiler and returns the `top` functions by self time, with
 * their share of the busy (non-idle) time.
 */
export async function profileHotSpots(body: () => Promise<unknown>, top = 6): Promise<HotSpot[]> {
  const session = new Session();
  session.connect();
  try {
    await session.post("Profiler.enable");
    await session.post("Profiler.setSamplingInterval", { interval: 200 });
    await session.post("Profiler.start");
    await body();
    const { profile } = await session.post("Profiler.stop");
    const nodes = new Map<number, ProfileNode>(profile.nodes.map((n: ProfileNode) => [n.id, n]));
    const selfUs = new Map<string, number>();
    const samples = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    let busyUs = 0;
    samples.forEach((id, i) => {
      const frame = nodes.get(id)?.callFrame;
      if (!frame || IDLE.has(frame.functionName)) return;
      if (frame.url === "" && frame.functionName === PROFILER_MESSAGING) return;
      const us = deltas[i] ?? 0;
      busyUs += us;
      const where = frame.url
        ? `${frame.functionName || "(anonymous)"} (${shorten(frame.url)})`
        : frame.functionName;
      selfUs.set(where, (selfUs.get(where) ?? 0) + us);
    });
    return [...selfUs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([where, us]) => ({ where, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 }));
  } finally {
    await session.post("Profiler.disable").catch(() => undefined);
    session.disconnect();
  }
}

function shorten(url: string): string {
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const inStore = path.lastIndexOf("/node_modules/");
  if (inStore >= 0) return path.slice(inStore + "/node_modules/".length);
  return path.startsWith(ROOT) ? path.slice(ROOT.length) : path;
}
