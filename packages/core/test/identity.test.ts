import { describe, expect, it } from "vitest";
import { harness, ok, violated } from "./harness.ts";

const KEY = "db/identity_changed/subject";

describe("rule 12: a subject's identity (identity_changed)", () => {
  it("stores the first identity; another one makes every result unknown and opens a critical ticket at once", async () => {
    const h = harness({ settings: { inv: { forMs: 0 } } });
    const [down] = (await h.cycle({ identity: "42", invariants: { inv: [violated("4")] } })).opened;
    expect(h.store.identities()).toEqual([
      { subject: "db", identity: "42", pending: null, updatedAt: h.now },
    ]);
    h.advance(30_000);
    const swapped = await h.cycle({ identity: "77", invariants: { inv: [ok("4")], other: [violated("9")] } });
    expect(swapped.resolved).toEqual([]);
    expect(swapped.opened.map((t) => [t.key, t.severity])).toEqual([[KEY, "critical"]]);
    expect(swapped.opened[0]?.message).toBe(
      'Subject "db" reports identity "77", but the last identity seen was "42": every result of "db" is unknown. ' +
        "If the new system is the right one, resolve this ticket (operator tickets resolve <id>) to accept its identity.",
    );
    const unknowns = swapped.plan.findings.filter((f) => f.outcome === "unknown");
    expect(unknowns.map((f) => f.invariant)).toEqual(["inv", "other"]);
    expect(unknowns[0]).toMatchObject({
      reason: 'identity changed: subject "db" reports "77", but the last identity seen was "42"',
    });
    expect(h.store.identities()[0]).toMatchObject({ identity: "42", pending: "77" });
    expect((await h.open()).map((t) => t.id)).toContain(down?.id);
  });

  it("a person resolving the ticket accepts the new identity on the next cycle; results count again", async () => {
    const h = harness();
    await h.cycle({ identity: "42", invariants: { inv: [violated("4")] } });
    h.advance(30_000);
    const [ticket] = (await h.cycle({ identity: "77", invariants: { inv: [ok("4")] } })).opened;
    h.advance(30_000);
    expect((await h.cycle({ identity: "77", invariants: { inv: [ok("4")] } })).resolved).toEqual([]);
    await h.store.applyAction(ticket?.id ?? 0, { type: "resolve", actor: "alice" }, h.now);
    h.advance(30_000);
    const accepted = await h.cycle({ identity: "77", invariants: { inv: [ok("4")] } });
    expect(accepted.opened).toEqual([]);
    expect(accepted.resolved.map((t) => t.key)).toEqual(["db/inv/4"]);
    expect(h.store.identities()[0]).toMatchObject({ identity: "77", pending: null });
    expect(h.store.states().map((s) => s.key)).not.toContain(KEY);
  });

  it("an identity back to the accepted one resolves the ticket by itself, with the reason", async () => {
    const h = harness();
    await h.cycle({ identity: "42", invariants: { inv: [ok("4")] } });
    h.advance(30_000);
    const [ticket] = (await h.cycle({ identity: "77", invariants: { inv: [ok("4")] } })).opened;
    h.advance(30_000);
    const back = await h.cycle({ identity: "42", invariants: { inv: [ok("4")] } });
    expect(back.resolved.map((t) => t.id)).toEqual([ticket?.id]);
    expect((await h.events(ticket?.id ?? 0)).at(-1)?.comment).toBe('identity is "42" again');
    expect(h.store.identities()[0]).toMatchObject({ identity: "42", pending: null });
  });

  it("a subject that reports no identity, or a failed observation, leaves the stored one alone", async () => {
    const h = harness();
    await h.cycle({ identity: "42", invariants: { inv: [ok("4")] } });
    h.advance(30_000);
    expect((await h.cycle({ invariants: { inv: [violated("4")] } })).opened).toHaveLength(1);
    h.advance(30_000);
    await h.cycle({ failure: "refused", identity: "77", invariants: { inv: [] } });
    expect(h.store.identities()[0]).toMatchObject({ identity: "42", pending: null });
  });
});
