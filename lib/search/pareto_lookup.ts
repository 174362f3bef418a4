/**
 * Pareto-set lookup, the default runtime search: the profile stage stores the non-dominated
 * configurations over (accuracy up; latency, energy, bytes down); a context is answered by one
 * linear scan over their metric columns.
 *
 * Why the scan is exact on the set: every constraint is monotone in one metric and the objective
 * rises with accuracy and falls with energy, so if a configuration is dominated, its dominator
 * is feasible whenever it is and scores at least as high. The best feasible configuration of the
 * whole space is therefore on its Pareto front, and a scan of the front finds it. (The contention
 * scale multiplies every latency alike, so it keeps this true.) A few thousand points scan in
 * microseconds, so no index is needed; `measureSearchLatency` reports the figure.
 *
 * @module
 */
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { digitWidth, encodeConfig, metricsColumns, predictRows } from "./digits.ts";
import type { Tracker } from "./tracker.ts";
import type { Metrics, MetricsColumns, Predictor } from "./types.ts";

/** One point of a Pareto set. */
export interface ParetoPoint {
  readonly config: SubnetConfig;
  readonly metrics: Metrics;
}

/** A Pareto set laid out for scanning. */
export interface ParetoIndex {
  readonly points: readonly ParetoPoint[];
  readonly columns: MetricsColumns;
  /** `Math.log` of each energy, precomputed for the scan. */
  readonly logEnergy: Float64Array;
}

/**
 * Lay out points for {@link scanPareto}. The points need not be non-dominated (dominated ones
 * only cost scan time); see {@link nonDominated} to filter them.
 */
export function buildParetoIndex(points: readonly ParetoPoint[]): ParetoIndex {
  const columns = metricsColumns(points.length);
  points.forEach((p, i) => {
    columns.accuracy[i] = p.metrics.accuracy;
    columns.latencyMs[i] = p.metrics.latencyMs;
    columns.energyMj[i] = p.metrics.energyMj;
    columns.bytes[i] = p.metrics.bytes;
  });
  return { points, columns, logEnergy: columns.energyMj.map(Math.log) };
}

/** Offer every point to `tracker`; tokens are point indices. */
export function scanPareto(index: ParetoIndex, tracker: Tracker): void {
  tracker.offerColumns(index.columns, index.points.length, 0, index.logEnergy);
}

/**
 * Indices of the non-dominated rows of `columns` (first `n` rows): no other row has at least the
 * accuracy and at most the latency, energy and bytes. Of identical rows the first is kept.
 * O(n x front) time: fine for tests and spaces up to a few hundred thousand configurations.
 *
 * @example
 * ```ts
 * import { nonDominated } from "./pareto_lookup.ts";
 * const f = (...v: number[]) => Float64Array.from(v);
 * const cols = { accuracy: f(0.9, 0.8, 0.95), latencyMs: f(1, 2, 3), energyMj: f(1, 2, 3),
 *   bytes: f(1, 2, 3) };
 * console.assert(JSON.stringify(nonDominated(cols, 3)) === "[2,0]");
 * ```
 */
export function nonDominated(columns: MetricsColumns, n: number): number[] {
  const { accuracy: a, latencyMs: l, energyMj: e, bytes: b } = columns;
  const order = Array.from({ length: n }, (_, i) => i);
  // Lexicographic order: a later row can never dominate an earlier one, so one pass suffices.
  order.sort((i, j) => a[j] - a[i] || l[i] - l[j] || e[i] - e[j] || b[i] - b[j] || i - j);
  const front: number[] = [];
  const fl: number[] = [], fe: number[] = [], fb: number[] = [];
  for (const i of order) {
    let dominated = false;
    for (let k = 0; k < front.length; k++) {
      if (fl[k] <= l[i] && fe[k] <= e[i] && fb[k] <= b[i]) {
        dominated = true;
        break;
      }
    }
    if (!dominated) {
      front.push(i);
      fl.push(l[i]);
      fe.push(e[i]);
      fb.push(b[i]);
    }
  }
  return front;
}

/**
 * The Pareto set of `configs` under `predictor` (for tests, benchmarks and spaces small enough to
 * enumerate; the profile stage builds the real one from measurements).
 */
export function paretoSetOf(
  space: SearchSpace,
  predictor: Predictor,
  configs: readonly SubnetConfig[],
): ParetoPoint[] {
  const digits = new Uint8Array(configs.length * digitWidth(space));
  configs.forEach((c, r) => encodeConfig(space, c, digits, r));
  const cols = metricsColumns(configs.length);
  predictRows(space, predictor, digits, configs.length, cols);
  return nonDominated(cols, configs.length).map((i) => ({
    config: configs[i],
    metrics: {
      accuracy: cols.accuracy[i],
      latencyMs: cols.latencyMs[i],
      energyMj: cols.energyMj[i],
      bytes: cols.bytes[i],
    },
  }));
}
