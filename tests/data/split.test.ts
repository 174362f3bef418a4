import assert from "node:assert/strict";
import { limitIndices, splitIndices, takeSamples } from "../../lib/data/split.ts";
import { createRng } from "../../lib/util/rng.ts";

const rng = (seed: number) => createRng(seed).fork("split");
const all = (s: { train: Int32Array; val: Int32Array; test: Int32Array }) => [
  ...s.train,
  ...s.val,
  ...s.test,
];

Deno.test("same seed gives the same split, another seed a different one", () => {
  const y = Int32Array.from({ length: 500 }, (_, i) => i % 5);
  const a = splitIndices({ y }, { val: 0.1, test: 0.2 }, rng(1));
  const b = splitIndices({ y }, { val: 0.1, test: 0.2 }, rng(1));
  const c = splitIndices({ y }, { val: 0.1, test: 0.2 }, rng(2));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.test, c.test);
  // a partition of all indices
  assert.deepEqual(all(a).sort((p, q) => p - q), Array.from({ length: 500 }, (_, i) => i));
  assert.equal(a.test.length, 100);
  assert.equal(a.val.length, 50);
});

Deno.test("ungrouped splits are class-stratified", () => {
  const y = Int32Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : 1));
  const s = splitIndices({ y }, { val: 0.1, test: 0.2 }, rng(0));
  const ones = (idx: Int32Array) => Array.from(idx).filter((i) => y[i] === 1).length;
  assert.equal(ones(s.test), 20);
  assert.equal(ones(s.val), 10);
  assert.equal(ones(s.train), 70);
});

Deno.test("no group is split across train, val and test", () => {
  const n = 600;
  const groups = Int32Array.from({ length: n }, (_, i) => Math.floor(i / 20)); // 30 groups
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  for (const seed of [0, 1, 2, 3]) {
    const s = splitIndices({ y, groups }, { val: 0.1, test: 0.2 }, rng(seed));
    const side = new Map<number, string>();
    for (const [name, idx] of Object.entries(s)) {
      for (const i of idx as Int32Array) {
        const g = groups[i];
        assert.ok(!side.has(g) || side.get(g) === name, `group ${g} in ${side.get(g)} and ${name}`);
        side.set(g, name);
      }
    }
    assert.equal(s.test.length, 6 * 20);
    assert.equal(s.val.length, 3 * 20);
  }
});

Deno.test("groups holding a rare class are spread so that every split gets some", () => {
  // 100 groups of 10; the rare class 1 occurs in groups 10, 50, 70, 90 only.
  const groups = Int32Array.from({ length: 1000 }, (_, i) => Math.floor(i / 10));
  const y = Int32Array.from(groups, (g, i) => ([10, 50, 70, 90].includes(g) && i % 10 < 3 ? 1 : 0));
  for (const seed of [0, 1, 2, 3, 4]) {
    const s = splitIndices({ y, groups }, { val: 0.1, test: 0.2 }, rng(seed));
    for (const [name, idx] of Object.entries(s)) {
      const rare = Array.from(idx as Int32Array).filter((i) => y[i] === 1).length;
      assert.ok(rare > 0, `seed ${seed}: no rare sample in ${name}`);
    }
  }
  // a single rare group trains rather than tests
  const y1 = Int32Array.from(groups, (g) => (g === 10 ? 1 : 0));
  const s1 = splitIndices({ y: y1, groups }, { val: 0.1, test: 0.2 }, rng(0));
  assert.ok(Array.from(s1.train).some((i) => y1[i] === 1));
});

Deno.test("the rarest class's groups are assigned first, even when its stratum is not smaller", () => {
  // 4 equal groups; the rare class sits in groups 0 and 3 (like two motes with one event each)
  const groups = Int32Array.from({ length: 400 }, (_, i) => Math.floor(i / 100));
  const y = Int32Array.from(groups, (g, i) => ((g === 0 || g === 3) && i % 100 < 5 ? 1 : 0));
  for (const seed of [0, 1, 2]) {
    const s = splitIndices({ y, groups }, { val: 0.1, test: 0.2 }, rng(seed));
    const rareIn = (idx: Int32Array) => Array.from(idx).some((i) => y[i] === 1);
    assert.ok(rareIn(s.train) && rareIn(s.test), `seed ${seed}: rare groups not in train and test`);
  }
});

Deno.test("with test 0 (an official test set) everything goes to train and val", () => {
  const y = Int32Array.from({ length: 100 }, (_, i) => i % 2);
  const s = splitIndices({ y }, { val: 0.1, test: 0 }, rng(0));
  assert.equal(s.test.length, 0);
  assert.equal(s.val.length, 10);
  assert.equal(s.train.length, 90);
});

Deno.test("limitIndices draws a seeded random subset", () => {
  const idx = Int32Array.from({ length: 100 }, (_, i) => i);
  const a = limitIndices(idx, 10, createRng(3));
  assert.equal(a.length, 10);
  assert.deepEqual(a, limitIndices(idx, 10, createRng(3)));
  assert.notDeepEqual(Array.from(a), Array.from({ length: 10 }, (_, i) => i));
  assert.equal(limitIndices(idx, undefined, createRng(3)), idx);
});

Deno.test("takeSamples copies rows, labels and groups", () => {
  const s = {
    x: Float32Array.from([1, 2, 3, 4, 5, 6]),
    y: Int32Array.of(0, 1, 2),
    groups: Int32Array.of(7, 8, 9),
  };
  const t = takeSamples(s, Int32Array.of(1), 2);
  assert.deepEqual(Array.from(t.x), [3, 4]);
  assert.deepEqual(Array.from(t.groups!), [8]);
  t.x[0] = 0;
  assert.equal(s.x[2], 3);
});
