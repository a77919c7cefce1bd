import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { demoListenAddress, pageUrl } from "../src/demo-listen.ts";

describe("the demo's listen address", () => {
  it("is a free port of 127.0.0.1 when --listen is not given, one that can be bound at once", async () => {
    const address = await demoListenAddress(undefined);
    expect(address.host).toBe("127.0.0.1");
    expect(address.port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(address.port, address.host, resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });

  it("keeps a given address, and replaces only a port of 0", async () => {
    expect(await demoListenAddress({ host: "127.0.0.1", port: 18_080 })).toEqual({
      host: "127.0.0.1",
      port: 18_080,
    });
    const chosen = await demoListenAddress({ host: "127.0.0.1", port: 0 });
    expect(chosen.port).toBeGreaterThan(0);
  });

  it("gives a URL a browser can open", () => {
    expect(pageUrl({ host: "127.0.0.1", port: 8080 })).toBe("http://127.0.0.1:8080/");
    expect(pageUrl({ host: "0.0.0.0", port: 8080 })).toBe("http://127.0.0.1:8080/");
    expect(pageUrl({ host: "::1", port: 9 })).toBe("http://[::1]:9/");
    expect(pageUrl({ host: "::", port: 9 })).toBe("http://[::1]:9/");
  });
});
