/**
 * Singular value decomposition for the low-rank operator: a one-sided Jacobi (Hestenes) SVD in
 * float64, and the split of a conv weight into the two convolutions of `arch.ts`'s `lowRank`.
 *
 * Why a hand-written SVD: the matrices are small (at most a few hundred rows), float64 Jacobi is
 * accurate to a few ulps (the full-rank factors reconstruct the weight to ~1e-12), and it keeps
 * the project free of another numeric dependency.
 *
 * @module
 */

/** A thin SVD `M = U diag(s) V^T`, singular values descending. */
export interface Svd {
  /** Left singular vectors, each of length `rows`. */
  readonly u: readonly Float64Array[];
  /** Singular values, descending, `min(rows, cols)` of them. */
  readonly s: readonly number[];
  /** Right singular vectors, each of length `cols`. */
  readonly v: readonly Float64Array[];
}

const MAX_SWEEPS = 60;

/**
 * Orthogonalises the columns of `cols` in place (one-sided Jacobi) and returns the accumulated
 * rotation as columns of length `cols.length`.
 */
function jacobi(cols: Float64Array[]): Float64Array[] {
  const n = cols.length;
  const m = n === 0 ? 0 : cols[0].length;
  const rot = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      const ap = cols[p];
      for (let q = p + 1; q < n; q++) {
        const aq = cols[q];
        let alpha = 0, beta = 0, gamma = 0;
        for (let i = 0; i < m; i++) {
          alpha += ap[i] * ap[i];
          beta += aq[i] * aq[i];
          gamma += ap[i] * aq[i];
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t), s = c * t;
        for (let i = 0; i < m; i++) {
          const x = ap[i], y = aq[i];
          ap[i] = c * x - s * y;
          aq[i] = s * x + c * y;
        }
        const vp = rot[p], vq = rot[q];
        for (let i = 0; i < n; i++) {
          const x = vp[i], y = vq[i];
          vp[i] = c * x - s * y;
          vq[i] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  return rot;
}

/**
 * The thin SVD of a row-major `rows x cols` matrix.
 *
 * @example
 * ```ts
 * import { svd } from "./svd.ts";
 * const { s } = svd(new Float64Array([3, 0, 0, 4]), 2, 2);
 * console.assert(Math.abs(s[0] - 4) < 1e-12 && Math.abs(s[1] - 3) < 1e-12);
 * ```
 */
export function svd(matrix: ArrayLike<number>, rows: number, cols: number): Svd {
  if (matrix.length !== rows * cols) {
    throw new RangeError(`svd: ${rows}x${cols} needs ${rows * cols} values, got ${matrix.length}`);
  }
  // Jacobi rotates pairs of columns, so it works on the orientation with fewer columns: the
  // rows of M (M^T's columns) when rows <= cols, else M's columns.
  const wide = rows <= cols;
  const n = Math.min(rows, cols), len = wide ? cols : rows;
  const a = Array.from({ length: n }, (_, j) => {
    const c = new Float64Array(len);
    for (let i = 0; i < len; i++) c[i] = wide ? matrix[j * cols + i] : matrix[i * cols + j];
    return c;
  });
  const rot = jacobi(a);
  const sigma = a.map((c) => Math.sqrt(c.reduce((acc, x) => acc + x * x, 0)));
  const order = sigma.map((_, j) => j).sort((x, y) => sigma[y] - sigma[x]);
  const unit = (c: Float64Array, norm: number) => norm > 0 ? c.map((x) => x / norm) : c.fill(0);
  const s = order.map((j) => sigma[j]);
  // A = M^T (wide) or M: A = Q diag(sigma) R^T with Q = a / sigma and R = rot.
  const q = order.map((j) => unit(a[j], sigma[j]));
  const r = order.map((j) => rot[j]);
  return wide ? { u: r, s, v: q } : { u: q, s, v: r };
}

/** The two factors of a low-rank conv, row-major, float32. */
export interface LowRankFactors {
  /** First conv (`lr.u`): `[rank, cin, ...kernel]`, i.e. `sqrt(S_r) V_r^T` reshaped. */
  readonly u: Float32Array;
  /** Second conv (`lr.v`, 1 x 1): `[cout, rank]`, i.e. `U_r sqrt(S_r)`. */
  readonly v: Float32Array;
}

/**
 * Factors a conv weight `[cout, cin, ...kernel]` (row-major, so a `cout x (cin * k^d)` matrix)
 * at `rank`: `W ≈ U_r S_r V_r^T`, split evenly as `(U_r sqrt(S_r)) (sqrt(S_r) V_r^T)`, so a
 * k x k conv to `rank` channels followed by a 1 x 1 conv computes the rank-`rank` approximation.
 *
 * @example
 * ```ts
 * import { lowRankFactors } from "./svd.ts";
 * const w = new Float32Array([1, 2, 3, 4, 5, 6]); // [2, 3]: cout 2, cin 3, kernel 1
 * const { u, v } = lowRankFactors(w, 2, 3, 2);
 * const w00 = v[0] * u[0] + v[1] * u[3];
 * console.assert(Math.abs(w00 - 1) < 1e-5);
 * ```
 */
export function lowRankFactors(
  weight: ArrayLike<number>,
  cout: number,
  cols: number,
  rank: number,
): LowRankFactors {
  if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(cout, cols)) {
    throw new RangeError(`rank ${rank} is outside 1..${Math.min(cout, cols)}`);
  }
  return factorsFromSvd(svd(weight, cout, cols), cout, cols, rank);
}

/**
 * The rank-`rank` factors (as {@link lowRankFactors}) from a ready thin SVD of the
 * `cout x cols` weight: the leading `rank` singular triplets. Every rank of one weight can so
 * share one SVD, and the factors are bit-identical to {@link lowRankFactors}' (which calls it).
 *
 * @example
 * ```ts
 * import { factorsFromSvd, lowRankFactors, svd } from "./svd.ts";
 * const w = new Float32Array([1, 2, 3, 4, 5, 6]);
 * const f = factorsFromSvd(svd(w, 2, 3), 2, 3, 1);
 * console.assert(f.u[0] === lowRankFactors(w, 2, 3, 1).u[0]);
 * ```
 */
export function factorsFromSvd(d: Svd, cout: number, cols: number, rank: number): LowRankFactors {
  if (!Number.isInteger(rank) || rank < 1 || rank > d.s.length) {
    throw new RangeError(`rank ${rank} is outside 1..${d.s.length}`);
  }
  if (d.u[0].length !== cout || d.v[0].length !== cols) {
    throw new RangeError(
      `svd of ${d.u[0].length}x${d.v[0].length} does not factor a ${cout}x${cols} weight`,
    );
  }
  const u = new Float32Array(rank * cols), v = new Float32Array(cout * rank);
  for (let j = 0; j < rank; j++) {
    const root = Math.sqrt(d.s[j]);
    for (let i = 0; i < cols; i++) u[j * cols + i] = root * d.v[j][i];
    for (let o = 0; o < cout; o++) v[o * rank + j] = root * d.u[j][o];
  }
  return { u, v };
}

/**
 * The rank-`rank` product `V U` of two factors (`[cout, rank]` times `[rank, cols]`) as a
 * row-major `cout x cols` weight: what a trainer writes back to the shared conv weight after
 * updating the factors (the delta `V'U' - VU` is added to the shared slice).
 */
export function lowRankProduct(
  f: LowRankFactors,
  cout: number,
  cols: number,
  rank: number,
): Float64Array {
  const out = new Float64Array(cout * cols);
  for (let o = 0; o < cout; o++) {
    for (let j = 0; j < rank; j++) {
      const a = f.v[o * rank + j];
      for (let i = 0; i < cols; i++) out[o * cols + i] += a * f.u[j * cols + i];
    }
  }
  return out;
}
