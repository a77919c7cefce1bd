/** The longest token the page accepts (the server's header limit is the real bound). */
export const MAX_TOKEN_CHARS = 1000;

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
