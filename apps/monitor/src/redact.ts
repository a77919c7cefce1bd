const REDACTED = "[redacted]";
const secrets = new Set<string>();
let longestFirst: string[] = [];

/** Characters that end a URL or a credential inside log text, JSON and quoted values. */
const STOP = String.raw`\s"'\\<>\`{}|`;

/** `scheme://user:password@` and `scheme://token@`: everything between `//` and `@`. */
const URL_USERINFO = new RegExp(String.raw`(\b[a-z][a-z0-9+.-]*:\/\/)([^${STOP}/?#@]+)@`, "gi");

/**
 * `user:password@host` without a scheme, or with a mangled one (`https//admin:pw@host`). The user
 * part starts only where a run of user characters starts and the password is at most 256 characters
 * long, which keeps the scan linear on hostile input.
 */
const BARE_USERINFO = new RegExp(
  `(?<![^${STOP}:/@])([^${STOP}:/@]+):([^${STOP}/]{0,256})@(?=[^${STOP}@/]*[a-z0-9])`,
  "gi",
);

/** Credentials in a query string: `?token=...`, `&password=...`. */
const QUERY_SECRET = new RegExp(
  `([?&;](?:access_token|token|api_key|apikey|key|password|passwd|pass|secret|auth|signature|sig)=)[^&${STOP}#]+`,
  "gi",
);

/** An echoed credential header, `Authorization: Bearer ...` or `"x-api-key":"..."`. */
const HEADER_SECRET =
  /\b((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|cookie|set-cookie)(["']?\s*[:=]\s*["']?)[^"'\\\r\n,;}]+/gi;

/** An auth scheme followed by a credential-looking word (with a digit or base64 punctuation). */
const SCHEME_CREDENTIAL = /\b(Bearer|Basic|Token)\s+(?=[A-Za-z0-9._~+/=-]*[0-9+/=_])[A-Za-z0-9._~+/=-]{6,}/gi;

/**
 * Registers a secret value (a bearer token, a header value, a password) so that {@link redact}
 * hides it everywhere: log lines, error messages, tickets, printed output. Its JSON-escaped and
 * URL-encoded forms are registered too. Values shorter than 4 characters are not registered: hiding
 * them would mangle ordinary text (the patterns of {@link redact} still hide them in URLs).
 */
export function registerSecret(value: string | undefined): void {
  if (typeof value !== "string" || value.length < 4) return;
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  let added = false;
  for (const form of forms) {
    if (!secrets.has(form)) {
      secrets.add(form);
      added = true;
    }
  }
  if (added) longestFirst = [...secrets].sort((a, b) => b.length - a.length);
}

/**
 * Registers the credential inside a header value (`Bearer <token>`, `Basic <base64>`, or the whole
 * value) and, for Basic, the decoded `user:password` and the password alone.
 */
export function registerCredential(value: string): void {
  registerSecret(value);
  const match = /^\s*([A-Za-z][\w-]*)\s+(\S.*)$/.exec(value);
  if (!match) return;
  const [, scheme = "", credential = ""] = match;
  registerSecret(credential.trim());
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(credential.trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon >= 0) {
      registerSecret(decoded);
      registerSecret(decoded.slice(colon + 1));
    }
  }
}

/**
 * Registers the password of every `user:password@` found in `text`, however the URL is written
 * (`http://a:pw@h`, `a:pw@h:2379`, `https//a:pw@h`), so it stays hidden even where the URL itself
 * does not appear.
 */
export function registerUrlSecrets(text: string): void {
  for (const match of text.matchAll(new RegExp(BARE_USERINFO.source, "gi"))) {
    const password = match[2] ?? "";
    registerSecret(password);
    try {
      registerSecret(decodeURIComponent(password));
    } catch {
      // not percent-encoded: the raw form is registered
    }
  }
}

/**
 * Hides every registered secret and every credential-shaped part of `text`: URL userinfo (also in
 * malformed URLs), credentials in query strings, echoed `Authorization`-like headers and
 * `Bearer`/`Basic` credentials. Applied to everything operator prints or stores from the outside
 * world, so a secret never reaches a terminal, a journal or a ticket, even inside a third-party
 * error message.
 */
export function redact(text: string): string {
  let out = text
    .replace(URL_USERINFO, (_all, scheme: string, userinfo: string) => {
      const colon = userinfo.indexOf(":");
      return colon < 0 ? `${scheme}${REDACTED}@` : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
    })
    .replace(BARE_USERINFO, (all, user: string, password: string) =>
      password === REDACTED ? all : `${user}:${REDACTED}@`,
    )
    .replace(QUERY_SECRET, `$1${REDACTED}`)
    .replace(HEADER_SECRET, `$1$2${REDACTED}`)
    .replace(SCHEME_CREDENTIAL, `$1 ${REDACTED}`);
  for (const secret of longestFirst) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** `value` with {@link redact} applied to every string in it, at any depth (for ticket values). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [redact(k), redactDeep(v)]),
    ) as T;
  }
  return value;
}
