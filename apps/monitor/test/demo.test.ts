import { UsageError } from "@operator/core";
import { describe, expect, it } from "vitest";
import { importSimulator } from "../src/demo.ts";

describe("importSimulator", () => {
  it("loads the simulator when it is installed", async () => {
    const sim = await importSimulator();
    expect(typeof sim.startCluster).toBe("function");
  });

  it("says the demo needs the package when it is not installed", async () => {
    const error = await importSimulator("@operator/no-such-simulator").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(
      "[operator] The demo needs @operator/no-such-simulator installed (a development dependency of operator): run it from a checkout with ./dev, or install @operator/no-such-simulator next to operator",
    );
  });
});
