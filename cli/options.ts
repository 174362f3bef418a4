/**
 * Option parsers shared by the commands. They throw commander's InvalidArgumentError so that
 * a bad value is reported as a usage error with the option's name.
 *
 * @module
 */
import { InvalidArgumentError } from "@commander-js/extra-typings";
import type { AccuracyMetric } from "../lib/data/metrics.ts";

/** Parse `--seed`: an integer in the 32-bit range. */
export function parseSeed(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || Math.abs(n) > 2 ** 31 - 1) {
    throw new InvalidArgumentError(`expected an integer seed, got "${value}".`);
  }
  return n;
}

/** Parse a positive integer option (`--batch`, `--repeat`, `--workers`). */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive integer, got "${value}".`);
  }
  return n;
}

/** Parse a positive number option (`--lr`). */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`expected a positive number, got "${value}".`);
  }
  return n;
}

/** Parse a number option that may be zero (`--feature-distill`). */
export function parseNonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number >= 0, got "${value}".`);
  }
  return n;
}

/** Parse `--metric`: `accuracy`, or `balanced` (balanced accuracy, mean per-class recall). */
export function parseMetric(value: string): AccuracyMetric {
  if (value === "accuracy") return "accuracy";
  if (value === "balanced") return "balancedAccuracy";
  throw new InvalidArgumentError(`expected accuracy or balanced, got "${value}".`);
}

/** The help text of `--metric` (search, adapt). */
export const METRIC_HELP =
  "what accuracy means: accuracy, or balanced (balanced accuracy, from the profile's second " +
  "predictor; imbalanced validation splits only)";
