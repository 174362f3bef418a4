/**
 * Memoised evaluation for the local searches (evolution, greedy): each distinct configuration is
 * predicted once and counted once against the evaluation budget.
 *
 * @module
 */
import type { SubnetConfig } from "../supernet/space.ts";
import { type Budget, type Clock, withinBudget } from "./budget.ts";
import type { Score, Tracker } from "./tracker.ts";
import type { Predictor } from "./types.ts";

/** A key that identifies a configuration within its space. */
export function configKey(config: SubnetConfig): string {
  return `${config.choices.join(",")}${config.int8 ? "q" : ""}`;
}

/** Predicts, scores and remembers configurations within a budget. */
export class Evaluator {
  /** Configurations evaluated, in order; tracker tokens index into it. */
  readonly seen: SubnetConfig[] = [];
  readonly #cache = new Map<string, Score>();
  readonly #start: number;

  constructor(
    readonly predictor: Predictor,
    readonly tracker: Tracker,
    readonly budget: Budget,
    readonly clock: Clock,
  ) {
    this.#start = clock();
  }

  /** Whether another new evaluation is allowed. */
  get open(): boolean {
    return withinBudget(this.budget, this.tracker.evaluated, this.#start, this.clock);
  }

  /** Whether `config` was evaluated already. */
  has(config: SubnetConfig): boolean {
    return this.#cache.has(configKey(config));
  }

  /** The score of `config` (memoised), or null when it is new and the budget is spent. */
  score(config: SubnetConfig): Score | null {
    const key = configKey(config);
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    if (!this.open) return null;
    this.seen.push(config);
    const s = this.tracker.offerMetrics(this.predictor.predict(config), this.seen.length - 1);
    this.#cache.set(key, s);
    return s;
  }
}
