/**
 * A prepared dataset's summary, as `datasets inspect` prints and reports it: per split sample
 * counts and class balance, provenance, input shape, normalisation, cache checksum and path, and
 * warnings where a split is too small for its metrics to mean much.
 *
 * @module
 */
import { classCounts, SPLIT_NAMES, type SplitName } from "./cache.ts";
import type { DataProvenance, PreparedDataset } from "./types.ts";

/** Below this many samples of a class in a split, its per-class metrics are coarse. */
export const FEW_SAMPLES = 30;

/** One split's figures. */
export interface SplitSummary {
  count: number;
  /** Samples per class, by class name, in class order. */
  classCounts: Record<string, number>;
  /** Distinct groups (subjects, time blocks), when the loader gave groups. */
  groups?: number;
}

/** Everything `datasets inspect` shows. */
export interface DatasetSummary {
  task: string;
  provenance: DataProvenance;
  source: string;
  seed: number;
  inputShape: number[];
  classes: string[];
  splits: Record<SplitName, SplitSummary>;
  /** Per channel, from the training split. */
  normalization: { channel: string; mean: number; std: number }[];
  checksum: string;
  /** Where the sample counts leave metrics uncertain (a rare class, an empty class). */
  warnings: string[];
}

/**
 * Summarise a prepared dataset.
 *
 * @example
 * ```ts
 * import { summarizeDataset } from "./describe.ts";
 * const s = (y: number[]) => ({ x: new Float32Array(y.length), y: Int32Array.from(y) });
 * const sum = summarizeDataset({ task: "t", provenance: "real", source: "doc", inputShape: [1],
 *   classes: ["a", "b"], train: s([0, 1]), val: s([0]), test: s([1]),
 *   normalization: { mean: [0], std: [1] }, checksum: "00", seed: 0 });
 * console.assert(sum.splits.train.classCounts.b === 1 && sum.warnings.length > 0);
 * ```
 */
export function summarizeDataset(ds: PreparedDataset): DatasetSummary {
  const warnings: string[] = [];
  const splits = {} as Record<SplitName, SplitSummary>;
  for (const name of SPLIT_NAMES) {
    const s = ds[name];
    const counts = classCounts(s.y, ds.classes.length);
    splits[name] = {
      count: s.y.length,
      classCounts: Object.fromEntries(ds.classes.map((c, i) => [c, counts[i]])),
      ...(s.groups ? { groups: new Set(s.groups).size } : {}),
    };
    if (s.y.length === 0) {
      warnings.push(`the ${name} split is empty`);
      continue;
    }
    counts.forEach((n, i) => {
      if (n === 0) {
        warnings.push(
          `the ${name} split has no "${ds.classes[i]}" sample: its recall and F1 ` +
            `cannot be measured there`,
        );
      } else if (n < FEW_SAMPLES && name === "train") {
        warnings.push(`the train split has only ${n} "${ds.classes[i]}" samples to learn from`);
      } else if (n < FEW_SAMPLES) {
        warnings.push(
          `the ${name} split has only ${n} "${ds.classes[i]}" samples: one sample ` +
            `moves that class's recall by ${(100 / n).toFixed(1)} points, so its per-class ` +
            `metrics are coarse`,
        );
      }
    });
  }
  return {
    task: ds.task,
    provenance: ds.provenance,
    source: ds.source,
    seed: ds.seed,
    inputShape: ds.inputShape,
    classes: ds.classes,
    splits,
    normalization: ds.normalization.mean.map((mean, c) => ({
      channel: ds.channelNames?.[c] ?? `channel ${c}`,
      mean,
      std: ds.normalization.std[c],
    })),
    checksum: ds.checksum,
    warnings,
  };
}
