import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { ConfigError } from "@operator/core";

/** `http(s)://host:port` of a listening server. */
export function serverUrl(server: Server, secure: boolean): string {
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `${secure ? "https" : "http"}://${host}:${address.port}`;
}

/**
 * Keeps at most `max` connections open by closing, when one more arrives, the connection that has
 * waited longest without a request in flight (or the new one when all are busy).
 */
export function capConnections(server: Server, max: number): void {
  const open = new Set<Socket>();
  const idle = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    open.add(socket);
    idle.add(socket);
    socket.once("close", () => {
      open.delete(socket);
      idle.delete(socket);
    });
    if (open.size <= max) return;
    const oldest = idle.values().next().value;
    (oldest !== undefined && oldest !== socket ? oldest : socket).destroy();
  });
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    idle.delete(socket);
    res.once("finish", () => {
      if (!socket.destroyed && open.has(socket)) idle.add(socket);
    });
  });
}

/** A PEM file's bytes; a file that cannot be read is a `ConfigError` naming it and its `flag`. */
export function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(
      `${flag} ${file} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
