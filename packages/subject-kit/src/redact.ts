/** What replaces a secret in any message this package builds. */
export const REDACTED = "[redacted]";

/** Values shorter than this are not treated as secrets: replacing them would garble messages. */
const MIN_SECRET_LENGTH = 4;

/**
 * The secrets behind a set of request headers and a URL's userinfo: every header value, the
 * credential after an auth scheme (`Bearer <token>`, `Basic <base64>`), the decoded `user:password`
 * of Basic auth and the password alone.
 */
export function secretsOf(headers: Readonly<Record<string, string>>, url?: string): string[] {
  const secrets: string[] = [];
  for (const value of Object.values(headers)) {
    secrets.push(value);
    const scheme = /^\s*(\S+)\s+(.+)$/.exec(value);
    if (!scheme) continue;
    const credential = (scheme[2] as string).trim();
    secrets.push(credential);
    if ((scheme[1] as string).toLowerCase() === "basic") {
      const decoded = Buffer.from(credential, "base64").toString("utf8");
      secrets.push(decoded, decoded.slice(decoded.indexOf(":") + 1));
    }
  }
  if (url !== undefined) secrets.push(...userinfoOf(url));
  return secrets;
}

/**
 * Builds a function that replaces every secret (longest first) in a text by `[redacted]`, and any
 * userinfo left in a URL-like string (`http://user:pw@host`, `https//user:pw@host`, `user:pw@host:2379`).
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const unique = [...new Set(secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH))];
  const forms = unique.flatMap((secret) => [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
  ]);
  const sorted = [...new Set(forms)].filter((form) => form.length >= MIN_SECRET_LENGTH);
  sorted.sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of sorted) out = out.split(secret).join(REDACTED);
    return redactUserinfo(out);
  };
}

/** Replaces `user:password@` (or `user@`) before a host by `[redacted]@`, in well-formed and malformed URLs. */
export function redactUserinfo(text: string): string {
  return text.replace(USERINFO, (_match, prefix: string) => `${prefix}${REDACTED}@`);
}

// --- Internal helpers ---

/** Userinfo: after `scheme://`, `scheme//`, or at a word start, up to an `@` followed by a host. */
const USERINFO = /((?:[a-z][a-z0-9+.-]*:?\/\/)|(?:^|[\s"'(<=,]))[^\s/@"'<>()]+@(?=[a-z0-9[])/gi;

function userinfoOf(url: string): string[] {
  const match = /^[a-z][a-z0-9+.-]*:?\/\/([^/@]*)@/i.exec(url) ?? /^([^/@\s]+)@/.exec(url);
  if (!match) return [];
  const userinfo = match[1] as string;
  const colon = userinfo.indexOf(":");
  const password = colon < 0 ? "" : userinfo.slice(colon + 1);
  const decoded = (value: string) => {
    try {
      return decodeURIComponent(value);
    } catch {
      return value;
    }
  };
  return [userinfo, decoded(userinfo), password, decoded(password)].filter((value) => value !== "");
}
