import type { Readable } from "node:stream";

/** A response body's first bytes, as text. */
export interface Excerpt {
  readonly text: string;
  /** The body was longer than the cap; the rest was not read. */
  readonly truncated: boolean;
}

/**
 * Reads at most `maxBytes` of an answer's body and drops the rest (the stream is destroyed), so a
 * receiver answering with a huge or endless body costs no more than the cap. Requests ask for an
 * uncompressed answer (`Accept-Encoding: identity`), so the bytes counted are the bytes received.
 */
export async function readExcerpt(body: Readable, maxBytes: number): Promise<Excerpt> {
  const decoder = new TextDecoder();
  const parts: string[] = [];
  let bytes = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      const room = maxBytes - bytes;
      if (chunk.byteLength > room) {
        parts.push(decoder.decode(chunk.subarray(0, room)));
        body.destroy();
        return { text: parts.join(""), truncated: true };
      }
      bytes += chunk.byteLength;
      parts.push(decoder.decode(chunk, { stream: true }));
    }
  } catch {
    // A body cut off mid-way still leaves the status to classify the answer.
    body.destroy();
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
