import assert from "node:assert/strict";
import { classCounts, gapStats, sharedVsAloneRow } from "../../lib/evaluate/task_eval.ts";

const close = (a: number | null | undefined, b: number) =>
  assert.ok(typeof a === "number" && Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("shared vs alone row: balanced accuracy figures with provenance and their gap", () => {
  const alone = { testAccuracy: 0.9974, testBalancedAccuracy: 0.857, testSamples: 776 };
  const derived = { testAccuracy: 0.991, testBalancedAccuracy: 0.5, testSamples: 776 };
  const r = sharedVsAloneRow("spanning", "smallest", "b0:conv", alone, derived);
  close(r.gap, 0.9974 - 0.991);
  close(r.balancedGap, 0.857 - 0.5);
  for (const f of [r.aloneBalanced!, r.derivedBalanced!]) {
    assert.equal(f.provenance, "measured-here");
    assert.equal(f.unit, "fraction");
    assert.match(f.source!, /balanced accuracy .*776 samples/);
  }
  assert.equal(r.aloneBalanced!.value, 0.857);
  assert.equal(r.derivedBalanced!.value, 0.5);
  assert.match(r.derivedBalanced!.source!, /derived from the supernet/);
  assert.doesNotMatch(r.alone.source!, /balanced/);
});

Deno.test("shared vs alone row: results cached before balanced accuracy have none, and no gap", () => {
  const old = { testAccuracy: 0.99, testSamples: 776 };
  const fresh = { testAccuracy: 0.98, testBalancedAccuracy: 0.7, testSamples: 776 };
  const a = sharedVsAloneRow("baselines", "backbone", "b0:conv", old, fresh);
  assert.equal(a.aloneBalanced, undefined);
  close(a.derivedBalanced?.value, 0.7);
  assert.equal(a.balancedGap, undefined);
  assert.ok(!("balancedGap" in a), "no key, not an undefined value");
  const b = sharedVsAloneRow("baselines", "backbone", "b0:conv", fresh, old);
  assert.equal(b.derivedBalanced, undefined);
  assert.equal(b.balancedGap, undefined);
  close(b.gap, -0.01);
});

Deno.test("gap stats: mean and worst in both metrics; balanced null when any row lacks it", () => {
  const all = gapStats([{ gap: 0.02, balancedGap: 0.3 }, { gap: -0.01, balancedGap: 0.1 }]);
  close(all.meanGap, 0.005);
  close(all.worstGap, 0.02);
  close(all.meanBalancedGap, 0.2);
  close(all.worstBalancedGap, 0.3);
  const partial = gapStats([{ gap: 0.02, balancedGap: 0.3 }, { gap: -0.01 }]);
  close(partial.meanGap, 0.005);
  assert.equal(partial.meanBalancedGap, null);
  assert.equal(partial.worstBalancedGap, null);
  assert.deepEqual(gapStats([]), {
    meanGap: null,
    worstGap: null,
    meanBalancedGap: null,
    worstBalancedGap: null,
  });
});

Deno.test("class counts of a test split", () => {
  assert.deepEqual(classCounts(Int32Array.from([0, 2, 2, 0, 0]), 4), [3, 0, 2, 0]);
});
