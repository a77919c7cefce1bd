import type { Subject } from "@operator/core";
import { describe, expect, it } from "vitest";
import { registerSecret } from "../src/redact.ts";
import { redactingSubject } from "../src/subjects.ts";

const SECRET = "subjects-test-secret-1234";

/** A plugin's subject reporting sources, an identity and a gone entity, each carrying a secret. */
function leakySubject(): Subject<{ id: string }> {
  return {
    name: "leaky",
    kind: "test",
    invariants: [
      {
        name: "probe",
        description: "The probe answers.",
        defaults: { enabled: true, severity: "warning", forMs: 0, clearMs: 0, thresholds: {} },
        evaluate: () => [{ entity: "e1", outcome: "ok", gone: `e1 left (key ${SECRET})` }],
      },
    ],
    observe: async () => ({ id: "cluster-7" }),
    sources: () => ({ prometheus: `401 from prometheus: ${SECRET}`, pd_region_checks: null }),
    identity: (observation) => observation.id,
  };
}

describe("redactingSubject", () => {
  it("keeps the subject's sources and identity, with secrets redacted from every reason", async () => {
    registerSecret(SECRET);
    const subject = redactingSubject(leakySubject() as Subject);
    const observation = await subject.observe({
      signal: new AbortController().signal,
      deadline: Date.now() + 1000,
    });
    expect(subject.identity?.(observation)).toBe("cluster-7");
    expect(subject.sources?.(observation)).toEqual({
      prometheus: "401 from prometheus: [redacted]",
      pd_region_checks: null,
    });
    const [invariant] = subject.invariants;
    expect(invariant?.evaluate(observation, invariant.defaults)).toEqual([
      { entity: "e1", outcome: "ok", gone: "e1 left (key [redacted])" },
    ]);
  });

  it("adds no sources or identity to a subject that has none", () => {
    const { sources: _sources, identity: _identity, ...plain } = leakySubject();
    const subject = redactingSubject(plain as Subject);
    expect(subject.sources).toBeUndefined();
    expect(subject.identity).toBeUndefined();
  });
});
