/**
 * The shapes data takes between a loader and the trainer.
 *
 * A loader (one per source: mnist, fashion, sensor, har, sound) turns files or a generator into
 * a {@link RawDataset}; `prepare` splits it deterministically from the seed, computes
 * normalisation statistics on the training split, and caches the result as a
 * {@link PreparedDataset}.
 *
 * @module
 */
import type { Rng } from "../util/rng.ts";

/** Where the samples came from: recorded real data, or a generator (labelled in every report). */
export type DataProvenance = "real" | "synthetic";

/** Samples and labels, row-major: sample i occupies x[i*size .. (i+1)*size). */
export interface Samples {
  /** Features, float32, `count * product(inputShape)` values. */
  x: Float32Array;
  /** Class index per sample, in [0, classes.length). */
  y: Int32Array;
  /**
   * Optional group id per sample (subject, sensor mote, time block): splits keep a group on
   * one side, so that no subject or recording leaks from train into test.
   */
  groups?: Int32Array;
}

/** What a loader returns: all samples, before splitting and normalisation. */
export interface RawDataset {
  provenance: DataProvenance;
  /** Human-readable origin: files read (with paths) or generator and its parameters. */
  source: string;
  /** Shape of one sample, channels first: [1, 28, 28] images, [3, 128] motion, [1, 40, 101] mel. */
  inputShape: number[];
  /** Class names, index = label. */
  classes: string[];
  /** Optional name of each channel (inputShape[0] of them), e.g. "humidity (%)", for plots. */
  channelNames?: string[];
  /** The samples to split into train/val (and test, when the source has no official test set). */
  samples: Samples;
  /** The source's own test set (MNIST, Fashion-MNIST, UCI HAR), used as-is when present. */
  officialTest?: Samples;
}

/** Context a loader gets: the seed-derived stream (for generators) and the task's directory. */
export interface LoaderContext {
  rng: Rng;
  /** Directory of the task YAML, to resolve relative paths in it. */
  baseDir: string;
  /** Progress callback, fraction in [0, 1]. */
  onProgress?: (fraction: number, message: string) => void;
}

/** Per-channel normalisation statistics, computed on the training split only. */
export interface Normalization {
  mean: number[];
  std: number[];
}

/** A split, normalised, cached dataset ready for training. */
export interface PreparedDataset {
  task: string;
  provenance: DataProvenance;
  source: string;
  inputShape: number[];
  classes: string[];
  channelNames?: string[];
  train: Samples;
  val: Samples;
  test: Samples;
  normalization: Normalization;
  /** SHA-256 (hex) over the cached tensors, recorded in reports. */
  checksum: string;
  /** Seed the split (and any generator) was derived from. */
  seed: number;
}
