import type { StatusJson } from "../types.ts";
import { RelTime } from "./rel-time.tsx";

const STATUS_ORDER = ["open", "acknowledged", "diagnosed", "resolved"];
const SEVERITY_ORDER = ["critical", "warning", "info"];

/** The monitor's state: ticket counts, then each subject with its last and next cycle and its unknowns. */
export function MonitorState(props: { status: StatusJson | null; error: string | null; now: number }) {
  const { status } = props;
  return (
    <section class="panel monitor" aria-labelledby="monitor-heading">
      <h2 id="monitor-heading">Monitor</h2>
      {props.error && (
        <p class="notice notice-error" role="alert">
          The monitor's state is unknown: {props.error}
        </p>
      )}
      {!status && !props.error && <p class="muted">Loading the monitor's state…</p>}
      {status && (
        <>
          <dl class="counts">
            {_ordered(status.counts.bySeverity, SEVERITY_ORDER).map(([name, count]) => (
              <div key={name} class={`count count-${name}`}>
                <dt>{_capital(name)}</dt>
                <dd>{count}</dd>
              </div>
            ))}
            {_ordered(status.counts.byStatus, STATUS_ORDER).map(([name, count]) => (
              <div key={name} class="count">
                <dt>{_capital(name)}</dt>
                <dd>{count}</dd>
              </div>
            ))}
          </dl>
          {status.subjects.length === 0 ? (
            <p class="muted">No subject is monitored by this server (it only serves the ticket store).</p>
          ) : (
            <ul class="subjects">
              {status.subjects.map((subject) => {
                const late = subject.nextCycleAt !== null && subject.nextCycleAt < props.now - 30_000;
                return (
                  <li key={subject.name} class="subject">
                    <div class="subject-head">
                      <strong class="subject-name">{subject.name}</strong>
                      {subject.kind && <span class="muted">{subject.kind}</span>}
                      {late && <span class="badge flag flag-late">Cycle overdue</span>}
                    </div>
                    <div class="subject-times">
                      Last cycle{" "}
                      {subject.lastCycleAt === null ? (
                        "not yet"
                      ) : (
                        <RelTime at={subject.lastCycleAt} now={props.now} />
                      )}
                      {subject.nextCycleAt !== null && (
                        <>
                          <span aria-hidden="true"> · </span>next{" "}
                          <RelTime at={subject.nextCycleAt} now={props.now} future />
                        </>
                      )}
                    </div>
                    {subject.unknown.length === 0 ? (
                      <div class="subject-known">Every result of the last cycle is known</div>
                    ) : (
                      <details class="unknowns">
                        <summary>
                          {subject.unknown.length === 1
                            ? "1 result unknown"
                            : `${subject.unknown.length} results unknown`}
                        </summary>
                        <ul>
                          {subject.unknown.slice(0, 100).map((unknown) => (
                            <li key={unknown.key}>
                              <span class="unknown-key">{unknown.key}</span>:{" "}
                              {unknown.reason || "no reason given"}
                            </li>
                          ))}
                        </ul>
                      </details>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function _ordered(counts: Readonly<Record<string, number>>, order: readonly string[]): [string, number][] {
  const known = order.map((name): [string, number] => [name, counts[name] ?? 0]);
  const others = Object.entries(counts).filter(([name]) => !order.includes(name));
  return [...known, ...others];
}

function _capital(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
