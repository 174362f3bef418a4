/**
 * Learning-rate schedules by optimizer step: constant, step decay (x0.1 at 50% and 75% of
 * training) and cosine annealing to zero, each with an optional linear warm-up.
 *
 * @example
 * ```ts
 * import { learningRate } from "./schedule.ts";
 * const s = { base: 0.1, kind: "cosine", totalSteps: 100, warmupSteps: 10 } as const;
 * console.assert(learningRate(s, 4) === 0.05);
 * console.assert(Math.abs(learningRate(s, 100)) < 1e-12);
 * ```
 *
 * @module
 */

/** Schedule kinds, as in task configs. */
export type ScheduleKind = "cosine" | "step" | "constant";

/** A schedule over `totalSteps` optimizer steps. */
export interface Schedule {
  readonly base: number;
  readonly kind: ScheduleKind;
  readonly totalSteps: number;
  /** Steps of linear warm-up from `base / warmupSteps` to `base` (default 0). */
  readonly warmupSteps?: number;
}

/** The learning rate at 0-based optimizer step `step`. */
export function learningRate(s: Schedule, step: number): number {
  const warm = s.warmupSteps ?? 0;
  if (step < warm) return (s.base * (step + 1)) / warm;
  const span = Math.max(1, s.totalSteps - warm);
  const t = Math.min(1, (step - warm) / span);
  switch (s.kind) {
    case "constant":
      return s.base;
    case "step":
      return s.base * (t >= 0.75 ? 0.01 : t >= 0.5 ? 0.1 : 1);
    case "cosine":
      return 0.5 * s.base * (1 + Math.cos(Math.PI * t));
  }
}
