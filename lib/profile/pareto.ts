/**
 * Exact Pareto (non-dominated) filtering over the whole configuration space, with every
 * objective minimized (negate one to maximize it).
 *
 * Algorithm: sort the points lexicographically (first objective, then the next, ...), then sweep.
 * A point can only be dominated by one earlier in that order, and if it is dominated at all it
 * is dominated by a point already on the front (domination is transitive and the front holds
 * every earlier non-dominated point), so each point is checked against the current front only:
 * O(n log n + n F) for a front of size F. The last dominator is tried first, which makes most
 * dominated points cost one comparison. Points with identical objective vectors do not
 * dominate each other and are all kept.
 *
 * @module
 */

/** True when `a` dominates `b` (no worse everywhere, better somewhere), all minimized. */
export function dominates(cols: readonly Float64Array[], a: number, b: number): boolean {
  let better = false;
  for (const c of cols) {
    if (c[a] > c[b]) return false;
    if (c[a] < c[b]) better = true;
  }
  return better;
}

/**
 * Indices (ascending) of the non-dominated points; `cols[k][i]` is objective k of point i.
 *
 * @example
 * ```ts
 * import { paretoFront } from "./pareto.ts";
 * const lat = Float64Array.from([1, 2, 3, 2]);
 * const err = Float64Array.from([3, 2, 1, 3]);
 * console.assert(paretoFront([lat, err]).join() === "0,1,2");
 * ```
 */
export function paretoFront(cols: readonly Float64Array[]): Uint32Array {
  if (cols.length === 0) throw new RangeError("paretoFront needs at least one objective");
  const n = cols[0].length;
  for (const c of cols) {
    if (c.length !== n) throw new RangeError("every objective column needs the same length");
    if (c.some((v) => Number.isNaN(v))) throw new RangeError("objective values must not be NaN");
  }
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => {
    for (const c of cols) if (c[a] !== c[b]) return c[a] - c[b];
    return a - b;
  });
  const front: number[] = [];
  let last = -1;
  for (let s = 0; s < n; s++) {
    const p = order[s];
    if (last >= 0 && dominates(cols, last, p)) continue;
    let dominated = false;
    for (let f = front.length - 1; f >= 0; f--) {
      if (dominates(cols, front[f], p)) {
        dominated = true;
        last = front[f];
        break;
      }
    }
    if (!dominated) front.push(p);
  }
  return Uint32Array.from(front).sort();
}

/** The obvious O(n^2) filter, for tests. */
export function paretoFrontBruteForce(cols: readonly Float64Array[]): Uint32Array {
  const n = cols[0].length;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let dominated = false;
    for (let j = 0; j < n && !dominated; j++) dominated = j !== i && dominates(cols, j, i);
    if (!dominated) out.push(i);
  }
  return Uint32Array.from(out);
}
