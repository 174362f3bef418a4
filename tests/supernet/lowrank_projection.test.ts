// The rank-r projection low-rank blocks train through: P W = the SVD's best rank-r
// approximation, P a symmetric idempotent of rank r.
import assert from "node:assert/strict";
import { lowRankProjection } from "../../lib/supernet/lowrank_projection.ts";
import { lowRankFactors, lowRankProduct } from "../../lib/supernet/svd.ts";
import { createRng } from "../../lib/util/rng.ts";

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.normal());
}

function project(p: Float32Array, w: Float32Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let a = 0; a < rows; a++) {
    for (let b = 0; b < rows; b++) {
      const pab = p[a * rows + b];
      for (let k = 0; k < cols; k++) out[a * cols + k] += pab * w[b * cols + k];
    }
  }
  return out;
}

for (const [rows, cols, rank] of [[6, 20, 2], [12, 9, 5], [16, 144, 4], [5, 5, 1]]) {
  Deno.test(`lowRankProjection ${rows}x${cols} rank ${rank}: P W = svd_r(W); P symmetric, idempotent, trace r`, () => {
    const w = randomMatrix(rows, cols, rows * 100 + rank);
    const p = lowRankProjection(w, rows, cols, rank);
    const pw = project(p, w, rows, cols);
    const svdR = lowRankProduct(lowRankFactors(w, rows, cols, rank), rows, cols, rank);
    let worst = 0;
    for (let i = 0; i < pw.length; i++) worst = Math.max(worst, Math.abs(pw[i] - svdR[i]));
    assert.ok(worst < 1e-4, `P W vs svd_r(W): ${worst}`);
    let trace = 0, asym = 0, idem = 0;
    for (let a = 0; a < rows; a++) {
      trace += p[a * rows + a];
      for (let b = 0; b < rows; b++) {
        asym = Math.max(asym, Math.abs(p[a * rows + b] - p[b * rows + a]));
        let pp = 0;
        for (let k = 0; k < rows; k++) pp += p[a * rows + k] * p[k * rows + b];
        idem = Math.max(idem, Math.abs(pp - p[a * rows + b]));
      }
    }
    assert.ok(Math.abs(trace - rank) < 1e-4, `trace ${trace}`);
    assert.ok(asym < 1e-6 && idem < 1e-5, `symmetry ${asym}, idempotence ${idem}`);
  });
}

Deno.test("lowRankProjection: full rank is the identity; bad ranks and sizes throw", () => {
  const w = randomMatrix(3, 4, 1);
  assert.deepEqual([...lowRankProjection(w, 3, 4, 3)], [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  assert.throws(() => lowRankProjection(w, 3, 4, 0), /rank 0 is outside 1..3/);
  assert.throws(() => lowRankProjection(w, 3, 4, 4), /rank 4 is outside 1..3/);
  assert.throws(() => lowRankProjection(w, 3, 5, 1), /3x5 needs 15 values, got 12/);
});
