/** Where the API token is kept: this tab's sessionStorage, gone when the tab closes. */
const TOKEN_KEY = "operator.apiToken";

/** The longest token the page accepts (the server's header limit is the real bound). */
export const MAX_TOKEN_CHARS = 1000;

/** The saved token, or null. */
export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/** Saves `token` for this tab, or forgets it (`null`). */
export function saveToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(TOKEN_KEY);
    else sessionStorage.setItem(TOKEN_KEY, token);
  } catch {
    // Storage refused (private mode quota): the token lives only as long as the page.
  }
}

/**
 * Why `text` cannot be a bearer token, or null when it can: not empty, not too long, only visible
 * ASCII (a header value cannot carry anything else).
 */
export function tokenProblem(text: string): string | null {
  if (text.length === 0) return "Enter the token.";
  if (text.length > MAX_TOKEN_CHARS) return `A token has at most ${MAX_TOKEN_CHARS} characters.`;
  if (!/^[\x21-\x7e]+$/.test(text)) return "A token has only visible ASCII characters, without spaces.";
  return null;
}
