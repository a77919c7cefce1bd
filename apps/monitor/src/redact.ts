const REDACTED = "[redacted]";
const secrets = new Set<string>();

/**
 * Registers a secret value (a bearer token, a password) so that {@link redact} hides it everywhere:
 * log lines, error messages, printed configuration. Values shorter than 4 characters are refused
 * as secrets: hiding them would mangle ordinary text.
 */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= 4) secrets.add(value);
}

/**
 * Hides every registered secret and the password part of `scheme://user:password@host` URLs in
 * `text`. Applied by the loggers and the top-level error printer, so a secret never reaches a terminal
 * or a journal even when it appears inside a third-party error message.
 */
export function redact(text: string): string {
  let out = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, `$1${REDACTED}@`);
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}
