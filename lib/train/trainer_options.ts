/**
 * Options, progress reports and results of the trainer ({@link train} in `trainer.ts`), and
 * the validation of options a user sets (epochs, batch, learning rate, workers).
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { Samples } from "../data/types.ts";
import type { GraphData } from "../onnx/types.ts";
import type { BackendName } from "../runtime/types.ts";
import type { SplitResult } from "./evaluate.ts";
import type { OptimizerConfig, Param } from "./optimizer.ts";
import type { ScheduleKind } from "./schedule.ts";

/** The data a trainer needs (a `PreparedDataset` fits). */
export interface TrainData {
  readonly inputShape: readonly number[];
  readonly classes: readonly string[];
  readonly train: Samples;
  readonly val: Samples;
  readonly test?: Samples;
}

/** Progress of a run, reported after every step and evaluation. */
export interface TrainProgress {
  readonly phase: "train" | "eval";
  readonly epoch: number;
  readonly epochs: number;
  readonly step: number;
  readonly stepsPerEpoch: number;
  /** Running mean over the epoch so far. */
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
  /** Seconds left in the whole run, from the pace so far. */
  readonly etaSeconds: number;
}

/** Options of {@link train}. */
export interface TrainOptions {
  readonly forward: GraphData;
  /** Initializers to train (default: every float initializer but BN statistics). */
  readonly params?: readonly string[];
  readonly data: TrainData;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleKind;
  readonly warmupEpochs?: number;
  readonly labelSmoothing?: number;
  readonly seed: number;
  /** Data-parallel workers (default 1: this thread). `batchSize` must divide evenly. */
  readonly workers?: number;
  readonly backend?: BackendName;
  /** Where checkpoints and artifacts go (none written when absent). */
  readonly outDir?: string;
  /** Continue from `outDir/last.ckpt`. */
  readonly resume?: boolean;
  /**
   * The caller's own settings of the run (task, model, data limit, ...), JSON values: with the
   * trainer's (seed, batch, lr, optimizer, ...) they are recorded and hashed in checkpoints,
   * and resuming with different ones is refused (see `trainingSettings` in trainer.ts).
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly onProgress?: (p: TrainProgress) => void;
  /** Non-fatal notes (e.g. a resume with a changed epoch count). */
  readonly onWarning?: (message: string) => void;
  /** Aborting stops between steps; the last good checkpoint is kept. */
  readonly signal?: AbortSignal;
}

/** Metrics of one epoch. */
export interface EpochMetrics {
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

/** Result of {@link train}. */
export interface TrainResult {
  readonly epochs: readonly EpochMetrics[];
  readonly bestEpoch: number;
  readonly bestValAccuracy: number;
  /** Test split with the best weights (absent without a test split or when interrupted). */
  readonly test?: SplitResult;
  readonly interrupted: boolean;
  readonly resumedFromEpoch: number;
  readonly steps: number;
  readonly trainSeconds: number;
  /** Training samples per second over the run's training phases. */
  readonly samplesPerSecond: number;
  /** Best weights and BN statistics (by validation accuracy). */
  readonly values: Readonly<Record<string, Param>>;
  readonly architectureHash: string;
}

/** Throws a bad-input AdaspringError for options no run can use. */
export function checkOptions(o: TrainOptions): void {
  const bad = badInput;
  if (!Number.isInteger(o.epochs) || o.epochs < 1) {
    throw bad(`epochs must be a positive integer, got ${o.epochs}`);
  }
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) {
    throw bad(`batch size must be a positive integer, got ${o.batchSize}`);
  }
  if (!(o.lr > 0) || !Number.isFinite(o.lr)) {
    throw bad(`learning rate must be a positive number, got ${o.lr}`);
  }
  const w = o.workers ?? 1;
  if (!Number.isInteger(w) || w < 1) throw bad(`workers must be a positive integer, got ${w}`);
  if (o.batchSize % w !== 0) {
    throw bad(
      `batch size ${o.batchSize} does not split evenly over ${w} workers; use a multiple of ${w}`,
    );
  }
  if (o.data.train.y.length < o.batchSize) {
    throw bad(
      `the training split has ${o.data.train.y.length} samples, fewer than one batch of ${o.batchSize}`,
    );
  }
}
