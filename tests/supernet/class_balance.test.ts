// Class-balanced epoch orders: classes drawn uniformly whatever their frequency, deterministic
// per seed, indices of real samples.
import assert from "node:assert/strict";
import { classBalancedOrder } from "../../lib/supernet/class_balance.ts";
import { createRng } from "../../lib/util/rng.ts";

Deno.test("classBalancedOrder: a 1% class gets about half the draws of a two-class split", () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i % 100 === 7 ? 1 : 0));
  const order = classBalancedOrder(labels, 4000, createRng(3));
  assert.equal(order.length, 4000);
  assert.ok(order.every((i) => Number.isInteger(i) && i >= 0 && i < labels.length));
  const rare = order.filter((i) => labels[i] === 1).length;
  // Binomial(4000, 0.5): 6 standard deviations is about +-190.
  assert.ok(rare > 1810 && rare < 2190, `${rare} of 4000 draws from the rare class`);
  // Every rare sample is drawn (about 200 draws each over 10 of them).
  assert.equal(new Set(order.filter((i) => labels[i] === 1)).size, 10);
});

Deno.test("classBalancedOrder: three classes level, same seed same order, other seed another", () => {
  const labels = Int32Array.from({ length: 600 }, (_, i) => (i < 500 ? 0 : i < 590 ? 1 : 2));
  const a = classBalancedOrder(labels, 3000, createRng(1));
  assert.deepEqual(a, classBalancedOrder(labels, 3000, createRng(1)));
  assert.notDeepEqual(a, classBalancedOrder(labels, 3000, createRng(2)));
  for (const c of [0, 1, 2]) {
    const k = a.filter((i) => labels[i] === c).length;
    assert.ok(k > 850 && k < 1150, `class ${c}: ${k} of 3000`);
  }
  assert.deepEqual(classBalancedOrder(new Int32Array(0), 5, createRng(0)), []);
});

Deno.test("classBalancedOrder power: 0.5 draws a class by the square root of its count, 1 by its count", () => {
  // 9900 : 100 samples. Square root: 99.5 : 10, so the rare class gets 10 / 109.5 = 9.1%.
  const labels = Int32Array.from({ length: 10000 }, (_, i) => (i % 100 === 7 ? 1 : 0));
  const share = (power: number) =>
    classBalancedOrder(labels, 20000, createRng(4), power).filter((i) => labels[i] === 1)
      .length / 20000;
  // Binomial(20000, p): 6 standard deviations are under 1.3 points at p = 0.09.
  const sqrt = share(0.5), natural = share(1);
  assert.ok(Math.abs(sqrt - 10 / 109.5) < 0.013, `square root: ${sqrt}`);
  assert.ok(Math.abs(natural - 0.01) < 0.005, `natural: ${natural}`);
  assert.throws(
    () => classBalancedOrder(labels, 10, createRng(0), 1.5),
    /power must be in \[0, 1\]/,
  );
});
