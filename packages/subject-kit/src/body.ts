import { isAscii } from "node:buffer";
import { SLICE_MS, yieldToEventLoop } from "./sliced-json.ts";

/**
 * Reads a response body as text without ever holding more than a cap: a body that announces or
 * streams more bytes than `maxBytes` is cancelled as soon as the cap is passed. Bytes are counted
 * after decompression (fetch decodes `Content-Encoding` while streaming), so a gzip bomb stops at
 * the cap too. Chunks that are already buffered are read in time slices, letting the event loop run.
 * When `signal` aborts, reading stops and the promise rejects with the signal's reason.
 */
export async function readCappedText(
  response: Response,
  maxBytes: number,
  signal?: AbortSignal,
): Promise<string> {
  const announced = Number(response.headers.get("content-length") ?? Number.NaN);
  const encoded = (response.headers.get("content-encoding") ?? "identity") !== "identity";
  if (!encoded && announced > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new BodyTooLarge(maxBytes, `announced ${formatBytes(announced)}`);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const stop = () => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener("abort", stop, { once: true });
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let last = performance.now();
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      if (performance.now() - last >= SLICE_MS) {
        await yieldToEventLoop();
        last = performance.now();
      }
      bytes += value.byteLength;
      if (bytes > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new BodyTooLarge(maxBytes, "stopped reading");
      }
      chunks.push(value);
    }
  } finally {
    signal?.removeEventListener("abort", stop);
  }
  return _decodeUtf8(chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, bytes));
}

/**
 * UTF-8 bytes as text. An ASCII body (every PD and Prometheus answer in practice) is copied byte for
 * byte: the same text, made faster, and a one-byte string that `JSON.parse` reads faster too.
 */
function _decodeUtf8(body: Uint8Array): string {
  if (!isAscii(body)) return new TextDecoder().decode(body);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1");
}

/** A response body larger than the cap; reading it was stopped. */
export class BodyTooLarge extends Error {
  override name = "BodyTooLarge";
  constructor(
    readonly maxBytes: number,
    how: string,
  ) {
    super(`the body exceeds the cap of ${formatBytes(maxBytes)} (${how})`);
  }
}

/** `33554432` -> `32 MiB`; used in messages about caps. */
export function formatBytes(bytes: number): string {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${Number(value.toFixed(value >= 100 || unit === 0 ? 0 : 1))} ${units[unit]}`;
}
