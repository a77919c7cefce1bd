/** A response body's first bytes, as text. */
export interface Excerpt {
  readonly text: string;
  /** The body was longer than the cap; the rest was not read. */
  readonly truncated: boolean;
}

/**
 * Reads at most `maxBytes` of a response body and cancels the rest, so a receiver answering with a
 * huge or endless body costs no more than the cap. Bytes are counted after decompression.
 */
export async function readExcerpt(response: Response, maxBytes: number): Promise<Excerpt> {
  if (!response.body) return { text: "", truncated: false };
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const room = maxBytes - bytes;
      if (value.byteLength > room) {
        parts.push(decoder.decode(value.subarray(0, room)));
        await reader.cancel().catch(() => undefined);
        return { text: parts.join(""), truncated: true };
      }
      bytes += value.byteLength;
      parts.push(decoder.decode(value, { stream: true }));
    }
  } catch {
    // A body cut off mid-way still leaves the status to classify the answer.
    await reader.cancel().catch(() => undefined);
    return { text: parts.join(""), truncated: true };
  }
  parts.push(decoder.decode());
  return { text: parts.join(""), truncated: false };
}

/**
 * A short, printable excerpt of untrusted text: at most `max` characters, control and non-ASCII
 * line characters escaped as `\xNN`/`\uNNNN`, whitespace runs collapsed.
 */
export function escapeExcerpt(text: string, max = 200): string {
  const collapsed = text.replace(/[ \t\r\n]+/g, " ").trim();
  const cut = collapsed.length > max ? `${collapsed.slice(0, max)}…` : collapsed;
  return cut.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, "0")}`
      : `\\u${code.toString(16).padStart(4, "0")}`;
  });
}

/** C0/C1 controls, line separators and bidirectional overrides: escaped in excerpts. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
