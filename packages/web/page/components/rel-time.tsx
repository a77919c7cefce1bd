import { absoluteTime, relativeTime } from "../time.ts";

/** A time shown relative to now (`3 min ago`), with the absolute time on hover and for machines. */
export function RelTime(props: { at: string | number; now: number }) {
  const ms = typeof props.at === "number" ? props.at : Date.parse(props.at);
  if (Number.isNaN(ms)) return <span>unknown</span>;
  const iso = new Date(ms).toISOString();
  return (
    <time dateTime={iso} title={absoluteTime(ms)}>
      {relativeTime(ms, props.now)}
    </time>
  );
}
