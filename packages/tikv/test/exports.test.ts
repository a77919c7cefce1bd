import { expect, it } from "vitest";
import * as api from "../src/index.ts";

it("exposes exactly the plugin's contract: the factory (also as default), its kind and its errors", () => {
  expect(Object.keys(api).sort()).toEqual(
    ["PdError", "PrometheusError", "ResponseShapeError", "SUBJECT_KIND", "default", "tikvSubject"].sort(),
  );
  expect(api.default).toBe(api.tikvSubject);
  expect(api.SUBJECT_KIND).toBe("tikv");
  expect(new api.PdError("/pd/api/v1/stores", { reason: "timeout" })).toBeInstanceOf(Error);
});
