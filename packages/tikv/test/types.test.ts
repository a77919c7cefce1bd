import type { Subject, SubjectFactory } from "@operator/core";
import { describe, expectTypeOf, it } from "vitest";
import tikv, { type TikvObservation, type TikvOptions, type TikvSubject, tikvSubject } from "../src/index.ts";

describe("public types", () => {
  it("the default export is a SubjectFactory returning a TikvSubject", () => {
    expectTypeOf(tikv).toEqualTypeOf(tikvSubject);
    expectTypeOf(tikvSubject).toExtend<SubjectFactory<TikvOptions, TikvObservation>>();
    expectTypeOf(tikvSubject).returns.toEqualTypeOf<TikvSubject>();
    expectTypeOf<TikvSubject>().toExtend<Subject<TikvObservation>>();
  });

  it("requires name and pdUrl, and nothing else", () => {
    expectTypeOf<{ name: string; pdUrl: string }>().toExtend<TikvOptions>();
    expectTypeOf<{ pdUrl: string }>().not.toExtend<TikvOptions>();
    expectTypeOf<{ name: string }>().not.toExtend<TikvOptions>();
  });

  it("keeps the cluster id and store ids as strings", () => {
    expectTypeOf<TikvObservation["clusterId"]>().toEqualTypeOf<string>();
    expectTypeOf<TikvObservation["stores"][number]["id"]>().toEqualTypeOf<string>();
  });
});
