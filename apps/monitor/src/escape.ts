/**
 * Characters that must never reach a terminal or a log line raw: C0 controls (newline, ESC...),
 * DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional marks and
 * overrides that make text display in another order than it is stored.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** The unsafe characters `JSON.stringify` leaves raw (it escapes C0 controls itself). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/**
 * `text` with every unsafe character (see above) shown as a visible escape: `\n`, `\r`, `\t`,
 * `\x1b`, `\u2028`. Used for every piece of outside text in text output and text log lines, so a
 * store address or an error body can neither start a new line nor drive the terminal.
 */
export function escapeText(text: string): string {
  return text.replace(UNSAFE, (char) => {
    const named = NAMED[char];
    if (named !== undefined) return named;
    const code = char.charCodeAt(0);
    return code < 0x100
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/**
 * JSON text (from `JSON.stringify`) with the unsafe characters that JSON leaves raw (DEL, C1
 * controls, line separators, bidi overrides) written as `\uXXXX` escapes: the same JSON value, but
 * safe on a terminal and on one line. Outside strings JSON text has none of them, so this is exact;
 * the whitespace between tokens of pretty JSON is kept.
 */
export function escapeJsonText(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
