import assert from "node:assert/strict";
import { createRng, restoreRng } from "../../lib/util/rng.ts";

const draw = (seed: number, n = 5) => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => r.next());
};

Deno.test("same seed gives the same stream; different seeds differ", () => {
  assert.deepEqual(draw(3), draw(3));
  assert.notDeepEqual(draw(3), draw(4));
});

Deno.test("forks are reproducible and independent of draws on the parent", () => {
  const a = createRng(1);
  a.next();
  a.next();
  const b = createRng(1);
  assert.equal(a.fork("split").next(), b.fork("split").next());
  assert.notEqual(b.fork("split").next(), b.fork("init").next());
});

Deno.test("values are in range and roughly uniform / normal", () => {
  const r = createRng(9);
  let sum = 0, sq = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
    const z = r.normal();
    sum += z;
    sq += z * z;
  }
  assert.ok(Math.abs(sum / n) < 0.05);
  assert.ok(Math.abs(sq / n - 1) < 0.05);
});

Deno.test("shuffle is a permutation", () => {
  const xs = Array.from({ length: 100 }, (_, i) => i);
  const ys = createRng(2).shuffle([...xs]);
  assert.notDeepEqual(ys, xs);
  assert.deepEqual([...ys].sort((a, b) => a - b), xs);
});

Deno.test("restoreRng continues exactly where the saved stream stopped", () => {
  const a = createRng(11);
  a.next();
  a.normal(); // leaves a spare normal in the state
  const b = restoreRng(JSON.parse(JSON.stringify(a.state())));
  assert.deepEqual([a.normal(), a.next(), a.int(100)], [b.normal(), b.next(), b.int(100)]);
});

Deno.test("non-integer seeds are rejected", () => {
  assert.throws(() => createRng(1.5), RangeError);
});
