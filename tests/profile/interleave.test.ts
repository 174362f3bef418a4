import assert from "node:assert/strict";
import {
  combinePasses,
  measureUnits,
  MIN_RUNS_PER_PASS,
  passCount,
} from "../../lib/profile/interleave.ts";
import type { TimingSource, TimingUnit } from "../../lib/profile/timing.ts";
import { createRng } from "../../lib/util/rng.ts";

const units: TimingUnit[] = Array.from({ length: 10 }, (_, i) => ({
  kind: "head",
  features: 8 * (i + 1),
  int8: false,
}));
const trueMs = (u: TimingUnit) => (u.kind === "head" ? u.features / 100 : 0);

/**
 * A source on a machine where a burst of another process makes every run 3x slower for a
 * stretch of consecutive calls (`burst` = [first, last] call index), as on a shared 2-core box.
 */
function burstySource(burst: [number, number], twinMs = 0) {
  let calls = 0;
  const order: number[] = [];
  const slow = () => (calls >= burst[0] && calls <= burst[1] ? 3 : 1);
  const source: TimingSource = {
    name: "bursty",
    prepare(unit) {
      const ms = trueMs(unit);
      return Promise.resolve({
        run: () => {
          order.push(ms);
          const t = (ms + twinMs) * slow();
          calls++;
          return t;
        },
        ...(twinMs > 0 ? { overhead: () => twinMs * slow() } : {}),
      });
    },
  };
  return { source, order };
}

Deno.test("passCount gives every pass enough runs to trim", () => {
  assert.equal(passCount(20), 5);
  assert.equal(passCount(8), 2);
  assert.equal(passCount(5), 1);
  assert.equal(passCount(1), 1);
  assert.equal(passCount(100, 5), 5);
  assert.ok(Math.floor(20 / passCount(20)) >= MIN_RUNS_PER_PASS);
});

Deno.test("combinePasses ignores one spoilt pass and pools the rest", () => {
  const s = combinePasses([[2, 2, 2, 2], [2.2, 2.2, 2.2, 2.2], [9, 9, 9, 9]], 0.25);
  assert.equal(s.mean, 2.2, "median of the pass means 2, 2.2, 9");
  assert.equal(s.count, 6);
  assert.ok(s.var >= 0);
});

Deno.test("a burst covering every run of a few units does not bias them when timed in passes", async () => {
  const protocol = { warmup: 1, repeats: 12, trim: 0.25 };
  // A burst as long as 2.5 units' whole measurement (13 calls each) but within one pass of 3.
  const one = burstySource([13, 45]);
  const flat = await measureUnits(one.source, units, protocol, { passes: 1, batch: 1 });
  const spoilt = flat.filter((s, i) => s.mean > 1.5 * trueMs(units[i])).length;
  assert.ok(spoilt >= 2, `single pass: ${spoilt} units spoilt`);

  const three = burstySource([13, 45]);
  const saved: number[] = [];
  const spread = await measureUnits(three.source, units, protocol, {
    passes: 3,
    batch: 4,
    rng: createRng(1),
    onUnit: (i) => void saved.push(i),
  });
  for (const [i, s] of spread.entries()) {
    assert.ok(Math.abs(s.mean / trueMs(units[i]) - 1) < 1e-9, `unit ${i}: ${s.mean}`);
    assert.equal(s.count, 6, "12 runs, 3 trimmed at each end");
  }
  assert.deepEqual(saved, units.map((_, i) => i), "the last pass reports units in input order");
  // Earlier passes visit units in a shuffled order, so a burst hits different units each pass.
  const firstPass = three.order.slice(units.length, 2 * units.length);
  assert.notDeepEqual(firstPass, [...firstPass].sort((a, b) => a - b));
});

Deno.test("overhead twins are subtracted pair by pair, bursts included", async () => {
  const { source } = burstySource([0, 1000], 0.5);
  const s = await measureUnits(source, units.slice(0, 3), { warmup: 1, repeats: 8, trim: 0 });
  for (const [i, x] of s.entries()) {
    assert.ok(Math.abs(x.mean - 3 * trueMs(units[i])) < 1e-9, `${x.mean}`);
  }
});

Deno.test("a unit that fails to prepare still lets its batch's earlier units be saved", async () => {
  let prepared = 0;
  const source: TimingSource = {
    name: "failing",
    prepare: () => {
      if (++prepared > 3) return Promise.reject(new Error("interrupted"));
      return Promise.resolve({ run: () => 1 });
    },
  };
  const saved: number[] = [];
  await assert.rejects(
    measureUnits(source, units, { warmup: 0, repeats: 4, trim: 0 }, {
      batch: 8,
      onUnit: (i) => void saved.push(i),
    }),
    /interrupted/,
  );
  assert.deepEqual(saved, [0, 1, 2]);
});
