/**
 * Class-balanced epoch orders for ensemble training: every draw picks a class uniformly among
 * those present, then a sample of that class uniformly (with replacement). On a split where one
 * class has 99% of the samples (sensor: anomalous windows are about 0.6% of the training split),
 * the rare class otherwise reaches the smaller configurations' shared weights too seldom: measured,
 * every derived configuration but the largest answered the majority class everywhere.
 *
 * Measured on sensor (paper-suite data and supernet setting, 8 epochs): with balanced batches
 * the five spanning configurations' test balanced accuracy went from 50.00-85.71% to 72.30-80.17%,
 * but their plain accuracy fell from 99.10-99.74% to 45.10-72.16%: the models now expect the
 * classes equally often (the training prior shifted) and flag many normal windows. A trade-off,
 * not a fix; off by default.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

/**
 * `n` sample indices drawn class-balanced from `labels` (see the module doc).
 *
 * @example
 * ```ts
 * import { classBalancedOrder } from "./class_balance.ts";
 * import { createRng } from "../util/rng.ts";
 * const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 2 ? 1 : 0));
 * const order = classBalancedOrder(labels, 1000, createRng(0));
 * const rare = order.filter((i) => labels[i] === 1).length;
 * console.assert(order.length === 1000 && rare > 400 && rare < 600);
 * ```
 */
export function classBalancedOrder(labels: ArrayLike<number>, n: number, rng: Rng): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const list = byClass.get(labels[i]);
    if (list) list.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b).map((c) => byClass.get(c)!);
  if (classes.length === 0) return [];
  const order = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const members = classes[rng.int(classes.length)];
    order[k] = members[rng.int(members.length)];
  }
  return order;
}
