/**
 * The rank-r projection that low-rank choices train through (`train_graph.ts`).
 *
 * The best rank-r approximation of a matrix `W` (`cout x n`) is `svd_r(W) = U_r U_r^T W`, with
 * `U_r` its top r left singular vectors. So a low-rank block can be trained as the plain conv
 * on `P W` with `P = U_r U_r^T` (`cout x cout`) fed as a constant: the forward pass is exactly
 * the factorised operator that weight evolution derives by SVD, and the gradient reaching the
 * shared weight is `P^T dL/d(PW)` (exact for the subspace held fixed during the step). `U_r`
 * comes from the eigenvectors of the Gram matrix `W W^T` (float64, ml-matrix's symmetric
 * eigendecomposition), which costs a few milliseconds for mnist's largest 128 x 576 slice,
 * instead of a full SVD per step.
 *
 * @module
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";

/**
 * `P = U_r U_r^T` for the `rows x cols` row-major matrix `w` (float32, row-major `rows x rows`).
 * Directions with equal singular values at the cut are picked by the eigensolver's order.
 *
 * @example
 * ```ts
 * import { lowRankProjection } from "./lowrank_projection.ts";
 * // A rank-1 matrix is its own rank-1 approximation: P W = W.
 * const w = new Float32Array([1, 2, 3, 2, 4, 6]); // 2 x 3, rows proportional
 * const p = lowRankProjection(w, 2, 3, 1);
 * const pw0 = p[0] * w[0] + p[1] * w[3];
 * console.assert(Math.abs(pw0 - w[0]) < 1e-5);
 * ```
 */
export function lowRankProjection(
  w: ArrayLike<number>,
  rows: number,
  cols: number,
  rank: number,
): Float32Array {
  if (w.length !== rows * cols) {
    throw new RangeError(
      `projection: ${rows}x${cols} needs ${rows * cols} values, got ${w.length}`,
    );
  }
  if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(rows, cols)) {
    throw new RangeError(`rank ${rank} is outside 1..${Math.min(rows, cols)}`);
  }
  const p = new Float32Array(rows * rows);
  if (rank === rows) {
    for (let i = 0; i < rows; i++) p[i * rows + i] = 1;
    return p;
  }
  const gram = new Matrix(rows, rows);
  for (let a = 0; a < rows; a++) {
    for (let b = a; b < rows; b++) {
      let s = 0;
      for (let k = 0, ia = a * cols, ib = b * cols; k < cols; k++) s += w[ia + k] * w[ib + k];
      gram.set(a, b, s);
      gram.set(b, a, s);
    }
  }
  const evd = new EigenvalueDecomposition(gram, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const top = values.map((v, j) => [v, j] as const).sort((x, y) => y[0] - x[0]).slice(0, rank);
  for (const [, j] of top) {
    for (let a = 0; a < rows; a++) {
      const ua = vectors.get(a, j);
      for (let b = 0; b < rows; b++) p[a * rows + b] += ua * vectors.get(b, j);
    }
  }
  return p;
}
