import { ConfigError } from "./errors.ts";

/** Identity of "the same problem": one subject, one invariant, one entity. */
export interface ViolationKeyParts {
  readonly subject: string;
  readonly invariant: string;
  readonly entity: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * The violation key `subject/invariant/entity`, e.g. `prod-tikv/store_down/4`.
 * Subject and invariant names cannot contain `/`; the entity may.
 */
export function violationKey(parts: ViolationKeyParts): string {
  return `${parts.subject}/${parts.invariant}/${parts.entity}`;
}

/** Splits a violation key back into its parts; throws on a string that is not a key. */
export function parseViolationKey(key: string): ViolationKeyParts {
  const first = key.indexOf("/");
  const second = key.indexOf("/", first + 1);
  if (first <= 0 || second <= first + 1 || second === key.length - 1) {
    throw new ConfigError(`Not a violation key: "${key}" (expected subject/invariant/entity)`);
  }
  return {
    subject: key.slice(0, first),
    invariant: key.slice(first + 1, second),
    entity: key.slice(second + 1),
  };
}

/** Throws a {@link ConfigError} unless `name` is a valid subject or invariant name. */
export function assertName(kind: "subject" | "invariant", name: string): void {
  if (typeof name !== "string" || !NAME.test(name)) {
    throw new ConfigError(
      `Invalid ${kind} name ${JSON.stringify(name)}: use letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
}
