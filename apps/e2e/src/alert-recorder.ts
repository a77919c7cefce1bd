import { fetchAlerts } from "./alerting.ts";

/** One poll of Prometheus's alerts: which (alert, instance) pairs were firing, or that the poll failed. */
export interface AlertPoll {
  readonly at: number;
  /** `alertname/instance` of every firing alert; `null` when Prometheus could not be read. */
  readonly firing: ReadonlySet<string> | null;
  /** When each firing alert went pending (its `activeAt`, ms), by the same key. */
  readonly activeAt?: ReadonlyMap<string, number>;
}

/** Firing history of Prometheus's alerts, polled every few hundred milliseconds. */
export interface AlertTimeline {
  readonly polls: readonly AlertPoll[];
  /** First time `alertname` was seen firing for `instance` at or after `from`; `null` if never. */
  firstFiring(alertname: string, instance: string, from: number): number | null;
  /**
   * When the alert {@link firstFiring} found went pending: Prometheus's first evaluation that saw the
   * condition (its `activeAt`); `null` if it never fired or Prometheus did not say.
   */
  firstActive(alertname: string, instance: string, from: number): number | null;
  /**
   * How often the alert stopped firing between `from` and `to` while Prometheus answered: each is
   * a resolve a receiver would get. Failed polls (Prometheus down) neither count nor break a streak.
   */
  resolves(alertname: string, instance: string, from: number, to: number): number;
  /** Times the alert started firing between `from` and `to` (each a notification). */
  firings(alertname: string, instance: string, from: number, to: number): number;
}

/** A running poller; `stop()` ends it and returns the timeline. */
export interface AlertRecorder {
  readonly timeline: AlertTimeline;
  stop(): Promise<AlertTimeline>;
}

/** The key of one alert of one store in {@link AlertPoll.firing}. */
export function alertKey(alertname: string, instance: string): string {
  return `${alertname}/${instance}`;
}

/** Polls `GET /api/v1/alerts` every `intervalMs` until stopped. */
export function recordAlerts(prometheusUrl: () => string, intervalMs = 200): AlertRecorder {
  const polls: AlertPoll[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      try {
        const alerts = await fetchAlerts(prometheusUrl());
        const firing = new Set<string>();
        const activeAt = new Map<string, number>();
        for (const alert of alerts) {
          if (alert.state !== "firing") continue;
          const key = alertKey(alert.labels.alertname ?? "", alert.labels.instance ?? "");
          firing.add(key);
          const since = alert.activeAt === undefined ? Number.NaN : Date.parse(alert.activeAt);
          if (Number.isFinite(since)) activeAt.set(key, since);
        }
        polls.push({ at: Date.now(), firing, activeAt });
      } catch {
        polls.push({ at: Date.now(), firing: null });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (Date.now() - started))));
    }
  })();
  const timeline = timelineOf(polls);
  return {
    timeline,
    async stop() {
      running = false;
      await loop;
      return timeline;
    },
  };
}

/** The {@link AlertTimeline} view of a list of polls (which may still grow). */
export function timelineOf(polls: readonly AlertPoll[]): AlertTimeline {
  const transitions = (alertname: string, instance: string, from: number, to: number) => {
    const key = alertKey(alertname, instance);
    let firing: boolean | null = null;
    let starts = 0;
    let stops = 0;
    for (const poll of polls) {
      if (poll.at < from || poll.at > to || poll.firing === null) continue;
      const now = poll.firing.has(key);
      if (firing === true && !now) stops++;
      if (firing !== null && !firing && now) starts++;
      if (firing === null && now) starts++;
      firing = now;
    }
    return { starts, stops };
  };
  const firstFiringPoll = (alertname: string, instance: string, from: number) => {
    const key = alertKey(alertname, instance);
    const poll = polls.find((p) => p.at >= from && p.firing?.has(key));
    return poll ? { poll, key } : undefined;
  };
  return {
    polls,
    firstFiring: (alertname, instance, from) => firstFiringPoll(alertname, instance, from)?.poll.at ?? null,
    firstActive(alertname, instance, from) {
      const found = firstFiringPoll(alertname, instance, from);
      return found?.poll.activeAt?.get(found.key) ?? null;
    },
    resolves: (alertname, instance, from, to) => transitions(alertname, instance, from, to).stops,
    firings: (alertname, instance, from, to) => transitions(alertname, instance, from, to).starts,
  };
}
