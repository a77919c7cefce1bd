import type { Subject } from "@operator/core";
import { ConfigError } from "@operator/core";
import type { SubjectSpec } from "./config.ts";
import { loadSubject } from "./load-subject.ts";

/**
 * Loads every configured subject (plugins in parallel) and checks that their names are unique:
 * names are the first part of every ticket key, so two subjects sharing one would mix their tickets.
 */
export async function loadSubjects(specs: readonly SubjectSpec[]): Promise<Subject[]> {
  const subjects = await Promise.all(specs.map((spec) => loadSubject(spec)));
  const seen = new Map<string, string>();
  subjects.forEach((subject, i) => {
    const origin = specs[i]?.origin ?? "";
    const earlier = seen.get(subject.name);
    if (earlier !== undefined) {
      throw new ConfigError(
        `${origin}: subject name "${subject.name}" is already used by ${earlier}; names must be unique`,
      );
    }
    seen.set(subject.name, origin);
  });
  return subjects;
}

/** Calls every subject's `dispose`, ignoring failures: shutdown must go on. */
export async function disposeSubjects(subjects: readonly Subject[]): Promise<void> {
  await Promise.allSettled(subjects.map(async (subject) => subject.dispose?.()));
}

/** One line describing a subject for the start-up log: `prod (tikv)`. */
export function describeSubject(subject: Subject): string {
  return `${subject.name} (${subject.kind})`;
}
