import { closeSync, openSync, readSync } from "node:fs";

/**
 * Reads a small file named by a user (a secret, a certificate, a tokens file) without reading more
 * than `maxBytes` + 1 bytes of it, whatever its size: `undefined` when it is larger than `maxBytes`.
 * The file system's error (ENOENT, EACCES, EISDIR...) is thrown as it is, for the caller to name.
 */
export function readFileCapped(path: string, maxBytes: number): Buffer | undefined {
  const buffer = Buffer.alloc(maxBytes + 1);
  let length = 0;
  const fd = openSync(path, "r");
  try {
    for (let n = -1; n !== 0 && length < buffer.length; length += n) {
      n = readSync(fd, buffer, length, buffer.length - length, null);
    }
  } finally {
    closeSync(fd);
  }
  return length > maxBytes ? undefined : buffer.subarray(0, length);
}
