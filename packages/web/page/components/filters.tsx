import { useEffect, useState } from "preact/hooks";
import type { Filters } from "../tickets.ts";

/** How long typing in the search box waits before the list reloads. */
const SEARCH_DELAY_MS = 300;

/** The filter form above the list: status, subject, invariant, severity, held, silenced and a search. */
export function FilterForm(props: {
  filters: Filters;
  subjects: readonly string[];
  invariants: readonly string[];
  onChange(filters: Filters): void;
}) {
  const { filters, onChange } = props;
  const [q, setQ] = useState(filters.q);
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => {
    if (q === filters.q) return;
    const timer = setTimeout(() => onChange({ ...filters, q }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [q, filters, onChange]);
  const set =
    (field: keyof Filters) =>
    (event: Event): void =>
      onChange({ ...filters, [field]: (event.currentTarget as HTMLSelectElement | HTMLInputElement).value });
  return (
    <search>
      <form class="filters" aria-label="Filter tickets" onSubmit={(e) => e.preventDefault()}>
        <div class="field field-search">
          <label for="filter-q">Search</label>
          <input
            id="filter-q"
            type="search"
            value={q}
            maxLength={200}
            placeholder="Key or message"
            autoComplete="off"
            onInput={(e) => setQ((e.currentTarget as HTMLInputElement).value)}
          />
        </div>
        <div class="field">
          <label for="filter-status">Status</label>
          <select id="filter-status" value={filters.status} onChange={set("status")}>
            <option value="unresolved">Unresolved</option>
            <option value="open">Open</option>
            <option value="acknowledged">Acknowledged</option>
            <option value="diagnosed">Diagnosed</option>
            <option value="resolved">Resolved</option>
            <option value="all">All</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-severity">Severity</label>
          <select id="filter-severity" value={filters.severity} onChange={set("severity")}>
            <option value="">Any</option>
            <option value="critical">Critical</option>
            <option value="warning">Warning</option>
            <option value="info">Info</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-subject">Subject</label>
          <select id="filter-subject" value={filters.subject} onChange={set("subject")}>
            <option value="">Any</option>
            {_withCurrent(props.subjects, filters.subject).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-invariant">Invariant</label>
          <select id="filter-invariant" value={filters.invariant} onChange={set("invariant")}>
            <option value="">Any</option>
            {_withCurrent(props.invariants, filters.invariant).map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="filter-held">Held</label>
          <select id="filter-held" value={filters.held} onChange={set("held")}>
            <option value="">Any</option>
            <option value="yes">Held</option>
            <option value="no">Not held</option>
          </select>
        </div>
        <div class="field">
          <label for="filter-silenced">Silenced</label>
          <select id="filter-silenced" value={filters.silenced} onChange={set("silenced")}>
            <option value="">Any</option>
            <option value="yes">Silenced</option>
            <option value="no">Not silenced</option>
          </select>
        </div>
      </form>
    </search>
  );
}

function _withCurrent(names: readonly string[], current: string): string[] {
  const all = new Set(names);
  if (current) all.add(current);
  return [...all].sort();
}
