/** What replaces a secret in any reason or message this package builds. */
export const REDACTED = "[redacted]";

/** Values shorter than this are not treated as secrets: replacing them would garble messages. */
const MIN_SECRET_LENGTH = 4;

/**
 * Builds a function that replaces every secret (longest first, also URL- and JSON-encoded) in a text
 * by `[redacted]`, and any `user:password@` left in a URL-like string.
 */
export function createRedactor(secrets: readonly string[]): (text: string) => string {
  const forms = secrets
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .flatMap((secret) => [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  const sorted = [...new Set(forms)].filter((form) => form.length >= MIN_SECRET_LENGTH);
  sorted.sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const secret of sorted) out = out.split(secret).join(REDACTED);
    return out.replace(USERINFO, (_match, prefix: string) => `${prefix}${REDACTED}@`);
  };
}

/**
 * The secrets a URL carries: its userinfo, password and their Basic form, every query value, and (for URLs whose path
 * is the credential, like Slack's `hooks.slack.com/services/T/B/XXX`) the whole URL and its path.
 */
export function secretsOfUrl(url: string, pathIsSecret: boolean): string[] {
  const secrets: string[] = [];
  try {
    const parsed = new URL(url);
    if (parsed.username) secrets.push(parsed.username, decodeURIComponent(parsed.username));
    if (parsed.password) secrets.push(parsed.password, decodeURIComponent(parsed.password));
    if (parsed.username || parsed.password) {
      const basic = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
      secrets.push(Buffer.from(basic, "utf8").toString("base64"));
    }
    for (const value of parsed.searchParams.values()) secrets.push(value);
    if (parsed.search.length > 1) secrets.push(parsed.search.slice(1));
    if (pathIsSecret) {
      secrets.push(url, parsed.href, `${parsed.origin}${parsed.pathname}`);
      if (parsed.pathname.length > 1) secrets.push(parsed.pathname);
      // The token is in the later segments (`/services/T…/B…/<token>`); the first names the route.
      for (const segment of parsed.pathname.split("/").filter(Boolean).slice(1)) secrets.push(segment);
    }
  } catch {
    secrets.push(url);
  }
  return secrets;
}

/** How a URL is shown in reasons: origin and path, never userinfo or query (or only the origin). */
export function displayUrl(url: string, pathIsSecret: boolean): string {
  const parsed = new URL(url);
  return pathIsSecret ? `${parsed.origin}/${REDACTED}` : `${parsed.origin}${parsed.pathname}`;
}

// --- Internal helpers ---

/** Userinfo: after `scheme://`, or at a word start, up to an `@` followed by a host. */
const USERINFO = /((?:[a-z][a-z0-9+.-]*:\/\/)|(?:^|[\s"'(<=,]))[^\s/@"'<>()]+@(?=[a-z0-9[])/gi;
