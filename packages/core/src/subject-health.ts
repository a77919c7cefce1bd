import { errorMessage } from "./evaluation.ts";
import { MAX_IDENTITY_LENGTH } from "./identity.ts";
import type { Subject } from "./subject.ts";

/** Most secondary sources one observation may report. */
export const MAX_SOURCES = 32;

/** Longest reason kept for a source that could not be read (characters). */
const MAX_REASON_LENGTH = 500;

const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What a subject's optional `sources` and `identity` said about one observation, checked. */
export type SubjectHealth =
  | {
      readonly ok: true;
      readonly sources: Readonly<Record<string, string | null>> | undefined;
      readonly identity: string | undefined;
    }
  | { readonly ok: false; readonly failure: string };

/**
 * Calls `subject.sources` and `subject.identity` on an observation and checks what they return. A
 * throw or a malformed answer is a failure naming the problem: the monitor then treats the whole
 * observation as failed, since results from a system it cannot identify are not trusted.
 */
export function readSubjectHealth<O>(subject: Subject<O>, observation: O): SubjectHealth {
  let sources: Readonly<Record<string, string | null>> | undefined;
  let identity: string | undefined;
  try {
    if (subject.sources) sources = checkSources(subject.sources(observation));
  } catch (error) {
    return { ok: false, failure: `sources() failed: ${errorMessage(error)}` };
  }
  try {
    if (subject.identity) identity = checkIdentityValue(subject.identity(observation));
  } catch (error) {
    return { ok: false, failure: `identity() failed: ${errorMessage(error)}` };
  }
  return { ok: true, sources, identity };
}

function checkSources(value: unknown): Readonly<Record<string, string | null>> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new Error("expected a record of source name to null or a reason");
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_SOURCES) throw new Error(`more than ${MAX_SOURCES} sources`);
  const checked: Record<string, string | null> = {};
  for (const [name, reason] of entries) {
    if (!SOURCE_NAME.test(name)) throw new Error(`invalid source name ${JSON.stringify(name)}`);
    if (reason !== null && (typeof reason !== "string" || reason === "")) {
      throw new Error(`source "${name}": expected null or a non-empty reason`);
    }
    checked[name] = reason === null ? null : reason.slice(0, MAX_REASON_LENGTH);
  }
  return checked;
}

function checkIdentityValue(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "" || value.length > MAX_IDENTITY_LENGTH) {
    throw new Error(`expected undefined or a string of 1 to ${MAX_IDENTITY_LENGTH} characters`);
  }
  return value;
}
