import assert from "node:assert/strict";
import { lowRankFactors, lowRankProduct, svd } from "../../lib/supernet/svd.ts";
import { createRng } from "../../lib/util/rng.ts";

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: rows * cols }, () => rng.normal());
}

for (const [rows, cols] of [[8, 27], [32, 9], [12, 12], [64, 288]]) {
  Deno.test(`svd of ${rows}x${cols}: orthonormal factors, descending values, exact product`, () => {
    const m = randomMatrix(rows, cols, rows * cols);
    const d = svd(m, rows, cols);
    const n = Math.min(rows, cols);
    assert.equal(d.s.length, n);
    for (let i = 1; i < n; i++) assert.ok(d.s[i - 1] >= d.s[i]);
    const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, v, i) => s + v * b[i], 0);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        assert.ok(Math.abs(dot(d.u[i], d.u[j]) - (i === j ? 1 : 0)) < 1e-10);
        assert.ok(Math.abs(dot(d.v[i], d.v[j]) - (i === j ? 1 : 0)) < 1e-10);
      }
    }
    let err = 0;
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let v = 0;
        for (let k = 0; k < n; k++) v += d.u[k][r] * d.s[k] * d.v[k][c];
        err = Math.max(err, Math.abs(v - m[r * cols + c]));
      }
    }
    assert.ok(err < 1e-10, `reconstruction error ${err}`);
  });
}

Deno.test("low-rank factors at full rank reconstruct the conv weight to ~1e-5", () => {
  const [cout, cols] = [16, 8 * 9];
  const w = Float32Array.from(randomMatrix(cout, cols, 3));
  const f = lowRankFactors(w, cout, cols, cout);
  const back = lowRankProduct(f, cout, cols, cout);
  const err = Math.max(...back.map((v, i) => Math.abs(v - w[i])));
  assert.ok(err < 1e-5, `error ${err}`);
  // A lower rank is the best approximation: its error is the dropped singular values.
  const half = lowRankProduct(lowRankFactors(w, cout, cols, 8), cout, cols, 8);
  const s = svd(w, cout, cols).s;
  const fro = Math.sqrt(half.reduce((acc, v, i) => acc + (v - w[i]) ** 2, 0));
  const dropped = Math.sqrt(s.slice(8).reduce((a, v) => a + v * v, 0));
  assert.ok(Math.abs(fro - dropped) < 1e-4 * dropped);
  assert.throws(() => lowRankFactors(w, cout, cols, 17), RangeError);
});

Deno.test("svd handles rank-deficient matrices", () => {
  const m = new Float64Array([1, 2, 3, 2, 4, 6, 0, 0, 0]);
  const d = svd(m, 3, 3);
  assert.ok(Math.abs(d.s[0] - Math.sqrt(70)) < 1e-10 && d.s[1] < 1e-12 && d.s[2] < 1e-12);
});
