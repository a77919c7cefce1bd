import type { ServerResponse } from "node:http";
import { createGzip } from "node:zlib";

/** Bytes written so far by one streaming reply, and whether the client went away. */
export interface StreamStats {
  written: number;
  closed: boolean;
}

/**
 * Writes `chunk` again and again, respecting backpressure, until `total` bytes are written or the
 * client closes the connection. With `total` Infinity the body never ends.
 */
export function streamRepeated(
  response: ServerResponse,
  chunk: Buffer,
  total: number,
  stats: StreamStats,
): void {
  response.on("close", () => {
    stats.closed = true;
  });
  const pump = () => {
    while (!stats.closed && stats.written < total) {
      stats.written += chunk.length;
      if (!response.write(chunk)) {
        response.once("drain", pump);
        return;
      }
    }
    if (!stats.closed) response.end();
  };
  pump();
}

/**
 * A gzip bomb: `megabytes` MiB of `[` characters compressed (about 1,000 times smaller), built in
 * 1 MiB steps so the test process never holds the decompressed form.
 */
export async function gzipBomb(megabytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const parts: Buffer[] = [];
  gzip.on("data", (part: Buffer) => parts.push(part));
  const done = new Promise((resolve) => gzip.on("end", resolve));
  const block = Buffer.alloc(1024 * 1024, "[");
  for (let i = 0; i < megabytes; i += 1) {
    if (!gzip.write(block)) await new Promise((resolve) => gzip.once("drain", resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(parts);
}

/** Samples the process's resident set size every 5 ms while `work` runs; returns the peak growth. */
export async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}
