import { absoluteTime, relativeTime } from "../time.ts";

/**
 * A time shown relative to now (`3 min ago`), with the absolute time on hover and for machines. A
 * time that has happened (`future` unset) never reads as still to come, even when the page's clock,
 * redrawn every few seconds, lags behind the server's.
 */
export function RelTime(props: { at: string | number; now: number; future?: boolean }) {
  const ms = typeof props.at === "number" ? props.at : Date.parse(props.at);
  if (Number.isNaN(ms)) return <span>unknown</span>;
  const iso = new Date(ms).toISOString();
  const now = props.future ? props.now : Math.max(props.now, ms);
  return (
    <time dateTime={iso} title={absoluteTime(ms)}>
      {relativeTime(ms, now)}
    </time>
  );
}
