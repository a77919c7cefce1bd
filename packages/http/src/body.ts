import { badRequest, HttpProblem, problem } from "./problem.ts";

/** Largest request body accepted, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/**
 * Reads a JSON request body of at most `maxBytes`: no body (or an empty one) is `{}`; a body needs
 * `Content-Type: application/json` (415 otherwise); a larger one is refused (413) as soon as the
 * declared length or the bytes read pass the limit; malformed JSON is a 400 naming `body`.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return {};
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (size === 0) return {};
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json") {
    throw new HttpProblem(
      problem(
        415,
        `Send the body as JSON with Content-Type: application/json (got ${type ? `"${type.slice(0, 60)}"` : "none"})`,
      ),
    );
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    badRequest("body", "The body is not valid UTF-8");
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    badRequest("body", "The body is not valid JSON");
  }
}

function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem(problem(413, `The body is larger than ${maxBytes} bytes`), { connection: "close" });
}
