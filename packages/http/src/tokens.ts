import { createHash, timingSafeEqual } from "node:crypto";
import { ConfigError } from "@operator/core";

/** Who may call the API: named bearer tokens; the name is the default `by` of the holder's actions. */
export interface ApiTokens {
  /** How many tokens are configured. */
  readonly size: number;
  /**
   * The name of the token `presented` matches, or undefined. Every stored token is compared (as a
   * SHA-256 digest, in constant time), so the answer's timing tells nothing about which one matched.
   */
  match(presented: string): string | undefined;
}

/** The name of the single token given by `OPERATOR_API_TOKEN`: the default `by` of its actions. */
export const ENV_TOKEN_NAME = "api";

/** Shortest token accepted: anything shorter is guessable. */
export const MIN_TOKEN_LENGTH = 16;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const TOKEN = /^[\x21-\x7e]+$/;

/**
 * Builds {@link ApiTokens} from `name → token` pairs. Refuses (ConfigError, never naming the token
 * itself) a name that is not 1-64 letters, digits, `.`, `_`, `@` or `-`; a token shorter than
 * {@link MIN_TOKEN_LENGTH} or with spaces or control characters; the same name twice; the same token
 * under two names.
 */
export function apiTokens(
  pairs: readonly (readonly [name: string, token: string])[],
  origin: string,
): ApiTokens {
  const names = new Set<string>();
  const digests: { name: string; digest: Buffer }[] = [];
  pairs.forEach(([name, token], i) => {
    const where = `${origin}, token ${i + 1}`;
    if (!NAME.test(name)) {
      throw new ConfigError(
        `${where}: invalid name (1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit)`,
      );
    }
    if (names.has(name)) throw new ConfigError(`${where}: the name "${name}" is given twice`);
    if (token.length < MIN_TOKEN_LENGTH || !TOKEN.test(token)) {
      throw new ConfigError(
        `${where} ("${name}"): a token needs at least ${MIN_TOKEN_LENGTH} printable characters and no spaces`,
      );
    }
    const digest = sha256(token);
    if (digests.some((d) => timingSafeEqual(d.digest, digest))) {
      throw new ConfigError(`${where} ("${name}"): the same token is given under another name`);
    }
    names.add(name);
    digests.push({ name, digest });
  });
  return {
    size: digests.length,
    match(presented) {
      const digest = sha256(presented);
      let found: string | undefined;
      for (const entry of digests) {
        if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.name;
      }
      return found;
    },
  };
}

/**
 * The `name:token` pairs of a tokens file: one a line; blank lines and lines starting with `#` are
 * skipped. Errors name the line, never its token.
 */
export function tokenLines(text: string, origin: string): [name: string, token: string][] {
  const pairs: [string, string][] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new ConfigError(`${origin}, line ${i + 1}: expected name:token`);
    pairs.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  });
  return pairs;
}

/** {@link ApiTokens} from a tokens file's text (see {@link tokenLines}). */
export function parseTokensFile(text: string, origin: string): ApiTokens {
  return apiTokens(tokenLines(text, origin), origin);
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
