/** Where the API token is kept: this tab's sessionStorage, gone when the tab closes. */
const TOKEN_KEY = "operator.apiToken";

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
