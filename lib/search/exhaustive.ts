/**
 * Exhaustive search, the oracle: every configuration of the space, predicted in batches over
 * typed arrays (the predictor's batch form when it has one) and offered to the tracker. Tokens
 * are enumeration indices (`configAt`), so only the answer is ever built as an object. Callers
 * that ask many contexts of one space (the optimality experiment) predict the space once with
 * {@link predictSpace} and pass the columns in.
 *
 * @module
 */
import { configAt, spaceSize } from "../supernet/enumerate.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { digitWidth, metricsColumns, predictRows } from "./digits.ts";
import type { Tracker } from "./tracker.ts";
import type { MetricsColumns, Predictor } from "./types.ts";

/** Rows predicted per batch: large enough to amortise calls, small enough to stay in cache. */
const CHUNK = 16_384;

/** The largest space exhaustive search accepts (2^26 configurations, 2 GiB of metrics). */
const MAX_SIZE = 2n ** 26n;

function totalOf(space: SearchSpace): number {
  const size = spaceSize(space);
  if (size > MAX_SIZE) {
    throw new RangeError(
      `task ${space.task}: ${size} configurations are too many to enumerate (limit ${MAX_SIZE})`,
    );
  }
  return Number(size);
}

/**
 * Call `visit` with successive batches of the space in enumeration order: `count` configurations
 * starting at index `start`, their metrics in `cols[0..count)`.
 */
function forEachBatch(
  space: SearchSpace,
  predictor: Predictor,
  visit: (start: number, count: number, cols: MetricsColumns) => void,
): void {
  const total = totalOf(space);
  const w = digitWidth(space);
  const radices = [...space.blocks.map((b) => b.choices.length), space.int8 ? 2 : 1];
  const odometer = new Uint8Array(w);
  const digits = new Uint8Array(CHUNK * w);
  const cols = metricsColumns(CHUNK);
  for (let start = 0; start < total; start += CHUNK) {
    const count = Math.min(CHUNK, total - start);
    for (let r = 0; r < count; r++) {
      digits.set(odometer, r * w);
      // Odometer increment, least significant digit last (the order of configAt).
      let i = w - 1;
      while (i >= 0 && ++odometer[i] === radices[i]) odometer[i--] = 0;
    }
    predictRows(space, predictor, digits, count, cols);
    visit(start, count, cols);
  }
}

/**
 * The metrics of every configuration, indexed like `configAt`.
 *
 * @example
 * ```ts
 * import { createSearchSpace, spaceSize } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { predictSpace } from "./exhaustive.ts";
 * import { syntheticPredictor } from "./synthetic.ts";
 * const space = createSearchSpace((await loadTaskConfig("sensor")).config);
 * const cols = predictSpace(space, syntheticPredictor(space, 0));
 * console.assert(cols.accuracy.length === Number(spaceSize(space)));
 * ```
 */
export function predictSpace(space: SearchSpace, predictor: Predictor): MetricsColumns {
  const all = metricsColumns(totalOf(space));
  forEachBatch(space, predictor, (start, count, cols) => {
    all.accuracy.set(cols.accuracy.subarray(0, count), start);
    all.latencyMs.set(cols.latencyMs.subarray(0, count), start);
    all.energyMj.set(cols.energyMj.subarray(0, count), start);
    all.bytes.set(cols.bytes.subarray(0, count), start);
  });
  return all;
}

/**
 * Offer every configuration of `space` to `tracker` (from `spaceMetrics` when given, else
 * predicted batch by batch); returns the token-to-config resolver.
 */
export function scanExhaustive(
  space: SearchSpace,
  predictor: Predictor,
  tracker: Tracker,
  spaceMetrics?: MetricsColumns,
): (token: number) => SubnetConfig {
  if (spaceMetrics !== undefined) {
    const total = totalOf(space);
    if (spaceMetrics.accuracy.length !== total) {
      throw new RangeError(
        `task ${space.task}: spaceMetrics has ${spaceMetrics.accuracy.length} rows, the space ` +
          `${total}; build it with predictSpace on this space`,
      );
    }
    tracker.offerColumns(spaceMetrics, total, 0);
  } else {
    forEachBatch(
      space,
      predictor,
      (start, count, cols) => tracker.offerColumns(cols, count, start),
    );
  }
  return (token) => configAt(space, token);
}
