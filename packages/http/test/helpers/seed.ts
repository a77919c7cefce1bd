import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CyclePlan, Severity, TicketDraft, TicketStore } from "@operator/core";
import { openTicketStore, type SqliteTicketStore } from "@operator/db";
import { afterAll } from "vitest";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "operator-http-test-"));
  dirs.push(dir);
  return dir;
}

/** A SQLite store on a new file. */
export function sqliteStore(): SqliteTicketStore {
  return openTicketStore(join(tempDir(), "operator.db"));
}

let cycles = 0;

/** One ticket to open: its key and, optionally, severity and message. */
export interface Opening {
  readonly key: string;
  readonly severity?: Severity;
  readonly message?: string;
}

/** Opens tickets through one recorded cycle (as the monitor would), at `at`. */
export async function openTickets(store: TicketStore, openings: readonly Opening[], at = Date.now()) {
  const id = `seed-${++cycles}`;
  const drafts: TicketDraft[] = openings.map(({ key, severity, message }) => {
    const [subject = "", invariant = "", entity = ""] = key.split("/");
    const text = message ?? `${key} is violated`;
    return {
      key,
      subject,
      invariant,
      entity,
      severity: severity ?? "critical",
      message: text,
      flapping: false,
      firstSeenAt: at,
      lastSeenAt: at,
      occurrenceCount: 1,
      batchKey: id,
      values: { value: 1 },
      createdAt: at,
      events: [{ at, actor: "monitor", kind: "opened", from: null, to: "open", comment: text }],
    };
  });
  const subjects = [...new Set(drafts.map((d) => d.subject))];
  const plan: CyclePlan = {
    upsertStates: [],
    deleteStates: [],
    open: drafts,
    change: [],
    identities: [],
    log: {
      id,
      startedAt: at,
      finishedAt: at,
      invariants: drafts.length,
      violations: drafts.length,
      unknown: 0,
      opened: drafts.length,
      resolved: 0,
      failures: {},
    },
  };
  return store.recordCycle(subjects, () => plan);
}
