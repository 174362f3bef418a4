/**
 * Ensemble (one-shot, weight-sharing) training of the self-evolutionary network
 * (DESIGN.md section 3): epochs of sandwich-rule steps (`ensemble_step.ts`) over the shared
 * store, validation of watched configurations each epoch (`ensemble_eval.ts`), checkpoints,
 * best keeping and exact resume.
 *
 * Determinism: the data order of epoch `e` comes from `fork("order/e")` of the seed's stream
 * and the configurations of global step `s` from `fork("configs/s")`, so a checkpoint needs
 * only the epoch and step to continue the same sequence; ORT-web runs single-threaded and is
 * deterministic, so a resumed run reproduces an uninterrupted one exactly.
 *
 * Files in `outDir`: `last.ckpt` (store + optimizer state + step/epoch, lib/train checkpoint
 * format, after every epoch), `best.ckpt` (the store at the best epoch: highest mean validation
 * accuracy over the watched configurations) and `history.json` (per-epoch metrics, for the
 * report of a resumed run). An abort stops between steps and writes nothing.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { Samples } from "../data/types.ts";
import type { BackendName } from "../runtime/types.ts";
import { createOptimizer, type OptimizerConfig } from "../train/optimizer.ts";
import { learningRate, type Schedule, type ScheduleKind } from "../train/schedule.ts";
import { optimizationSettings } from "../train/trainer.ts";
import type { LowRankTraining } from "./train_graph.ts";
import { abortedNow } from "../util/abort.ts";
import { createRng } from "../util/rng.ts";
import {
  type BestStore,
  copyStore,
  ensembleArchitectureHash,
  loadEnsembleCheckpoint,
  saveEnsembleCheckpoints,
} from "./ensemble_checkpoint.ts";
import { classBalancedOrder } from "./class_balance.ts";
import { createSessionCache } from "./ensemble_sessions.ts";
import { type ConfigAccuracy, validateConfigs, watchedConfigs } from "./ensemble_eval.ts";
import {
  createGradientBuffer,
  drawConfig,
  type EnsembleContext,
  ensembleStep,
  type GradientReduction,
  type Sampling,
} from "./ensemble_step.ts";
import { largestConfig, smallestConfig } from "./extremes.ts";
import { reorderDuringTraining } from "./reorder.ts";
import type { SearchSpace } from "./space.ts";
import type { FixedTeacher } from "./teacher.ts";
import type { WeightStore } from "./weights.ts";

/** The distillation train-supernet and evaluate use unless told otherwise. */
export const DEFAULT_DISTILL = { temperature: 1, alpha: 0.5 } as const;

/** Options of {@link trainSupernet}. */
export interface SupernetTrainOptions {
  readonly space: SearchSpace;
  /** The shared weights, trained in place. */
  readonly store: WeightStore;
  readonly data: {
    readonly inputShape: readonly number[];
    readonly train: Samples;
    readonly val: Samples;
    /** Identifies the data in BN-statistics cache keys (e.g. the dataset checksum). */
    readonly key: string;
  };
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleKind;
  readonly warmupEpochs?: number;
  /** Sampled configurations per step besides the largest and smallest (default 2). */
  readonly random?: number;
  readonly sampling?: Sampling;
  /**
   * Steps each sampled configuration is trained for before new ones are drawn (default 1). A
   * configuration's training session costs more to build (ORT parses and plans the graph) than
   * one step to run, so reusing the drawn configurations for `K` consecutive steps (their
   * sessions stay in the cache) lets `random` grow at about the same session-building cost.
   * Measured on mnist (8 epochs, paper-suite data): `random: 8, configSteps: 4` builds about
   * half the sessions of `random: 4` and halved the mean gap between derived and trained-alone
   * accuracy (3.21 -> 1.51 points; 5.18 -> 1.70 on a second seed).
   */
  readonly configSteps?: number;
  /**
   * How a step combines its configurations' gradients on a shared weight (default `sum`, as in
   * Once-for-All; `mean`: divided by the number of configurations that read the weight, so the
   * most shared weights do not take steps several times the task's learning rate).
   */
  readonly gradientReduction?: GradientReduction;
  /**
   * Class-balanced batches (default false): each epoch's samples are drawn class first, then
   * sample, with replacement (`class_balance.ts`), for splits where a rare class otherwise does
   * not reach the smaller configurations.
   */
  readonly classBalanced?: boolean;
  /**
   * With `classBalanced`, classes are drawn with probability proportional to their count raised
   * to this power (default 0: uniformly; 0.5: square-root sampling; see `class_balance.ts`).
   */
  readonly classBalancePower?: number;
  /**
   * Epochs at the start that train the largest configuration only (default 0), counted within
   * `epochs`: Once-for-All trains the full network before any subnet, so that the shared
   * weights start from a trained network and the students distil from a trained teacher. Equal
   * to `epochs`, the run trains the backbone alone.
   */
  readonly largestOnlyEpochs?: number;
  /** How low-rank blocks are trained (default `straight-through`; see `train_graph.ts`). */
  readonly lowRankTraining?: LowRankTraining;
  /** In-place distillation; `alpha` weighs it against the labels (see {@link DEFAULT_DISTILL}). */
  readonly distill: { readonly temperature: number; readonly alpha: number };
  /**
   * Block-wise feature distillation weight (default 0: off): each smaller configuration also
   * matches every block's output to the largest's (its first channels; mean squared error,
   * averaged over blocks), so operators that do not share the conv's weights (depthwise,
   * fire) learn features the following blocks and the shared head can read.
   */
  readonly featureDistill?: number;
  /**
   * A fixed, trained teacher (`teacher.ts`; absent: in-place distillation from the largest):
   * the students distil from its inference logits. Its identity is recorded in checkpoints.
   * Once-for-All also starts the shared weights from the teacher's: pass such a `store`.
   */
  readonly teacher?: Pick<FixedTeacher, "run" | "identity">;
  /**
   * Channel importance ordering during training (default false): after every epoch each
   * channel space is sorted by the L1 norm of its creating conv (`reorder.ts`), with the
   * optimizer's slots, so that width scaling keeps the most important channels. The largest
   * network's function is unchanged by a reordering; fire blocks at partial width are not.
   */
  readonly reorderChannels?: boolean;
  /** Fixed random configurations validated each epoch (default 3). */
  readonly watchRandom?: number;
  /** BN recalibration samples for validation (default 256). */
  readonly calibrationSamples?: number;
  readonly seed: number;
  readonly backend: BackendName;
  /**
   * Data-parallel workers (default 1): each configuration's step runs on `workers` Deno
   * Workers, each on `batchSize / workers` samples, gradients averaged (ensemble_sessions.ts).
   * BN uses per-worker batch statistics, so a run is reproducible for a given worker count but
   * differs from a run with another count.
   */
  readonly workers?: number;
  /** Checkpoint directory; without it nothing is written. */
  readonly outDir?: string;
  /** Continue from `outDir/last.ckpt`. */
  readonly resume?: boolean;
  /**
   * The caller's own settings (task, model, data limit, ...), JSON values: with the trainer's
   * (seed, batch, lr, optimizer, sampling, ...) they are recorded and hashed in checkpoints, and
   * resuming with different ones is refused. The epoch count is not among them (a run may be
   * extended), nor the workers or backend.
   */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly onProgress?: (p: SupernetProgress) => void;
  readonly signal?: AbortSignal;
}

/** Progress of a run. */
export type SupernetProgress =
  | {
    readonly phase: "train";
    readonly epoch: number;
    readonly epochs: number;
    readonly step: number;
    readonly stepsPerEpoch: number;
    /** Running means over the epoch so far. */
    readonly lossLargest: number;
    readonly lossSmallest: number;
    readonly samplesPerSecond: number;
    readonly etaSeconds: number;
  }
  | {
    readonly phase: "eval";
    readonly epoch: number;
    readonly epochs: number;
    readonly results: readonly ConfigAccuracy[];
  };

/** Metrics of one epoch. */
export interface SupernetEpoch {
  readonly epoch: number;
  readonly lr: number;
  /**
   * Mean training losses: the largest's cross-entropy, the others' distillation losses (NaN in
   * largest-only epochs).
   */
  readonly lossLargest: number;
  readonly lossSmallest: number;
  readonly lossRandom: number;
  readonly trainAccuracyLargest: number;
  readonly seconds: number;
  /**
   * Images per second through the sandwich (each image trains 2 + random configurations; the
   * largest only in largest-only epochs).
   */
  readonly samplesPerSecond: number;
  readonly validation: readonly ConfigAccuracy[];
}

/** Result of {@link trainSupernet}. */
export interface SupernetTrainResult {
  readonly epochs: readonly SupernetEpoch[];
  readonly bestEpoch: number;
  /** Mean validation accuracy of the watched configurations at the best epoch. */
  readonly bestScore: number;
  /** The store at the best epoch (a copy; the trained-in-place store holds the last epoch). */
  readonly best: WeightStore;
  readonly steps: number;
  readonly resumedFromEpoch: number;
  readonly interrupted: boolean;
  readonly trainSeconds: number;
  readonly samplesPerSecond: number;
  /** Training sessions built over the run (the LRU cache's misses). */
  readonly sessionsBuilt: number;
  /** Seconds of the training time spent building those graphs and sessions. */
  readonly sessionBuildSeconds: number;
}

function check(o: SupernetTrainOptions): void {
  const int = (v: number, what: string, min: number) => {
    if (!Number.isInteger(v) || v < min) throw badInput(`${what} must be an integer >= ${min}`);
  };
  int(o.epochs, "epochs", 1);
  int(o.batchSize, "batch size", 1);
  int(o.random ?? 2, "random configurations per step (--random)", 0);
  int(o.configSteps ?? 1, "steps per sampled configuration (--config-steps)", 1);
  int(o.largestOnlyEpochs ?? 0, "largest-only epochs (--largest-only-epochs)", 0);
  if ((o.largestOnlyEpochs ?? 0) > o.epochs) {
    throw badInput(
      `largest-only epochs (--largest-only-epochs ${o.largestOnlyEpochs}) are counted within ` +
        `the ${o.epochs} epoch(s) of the run; lower it or raise --epochs`,
    );
  }
  if (!(o.lr > 0)) throw badInput(`learning rate must be positive, got ${o.lr}`);
  if (!(o.distill.temperature > 0)) {
    throw badInput(`distillation temperature must be positive, got ${o.distill.temperature}`);
  }
  if (!(Number.isFinite(o.featureDistill ?? 0) && (o.featureDistill ?? 0) >= 0)) {
    throw badInput(`feature distillation weight must be >= 0, got ${o.featureDistill}`);
  }
  if (!(o.distill.alpha >= 0 && o.distill.alpha <= 1)) {
    throw badInput(`distillation alpha must be in [0, 1], got ${o.distill.alpha}`);
  }
  if (o.data.train.y.length < o.batchSize) {
    throw badInput(
      `the training split has ${o.data.train.y.length} samples, fewer than one batch of ` +
        `${o.batchSize}; lower --batch or raise --limit`,
    );
  }
  const power = o.classBalancePower ?? 0;
  if (!(power >= 0 && power <= 1)) {
    throw badInput(`class-balance power (--class-balanced POWER) must be in [0, 1], got ${power}`);
  }
  if (o.resume && !o.outDir) throw badInput("resume needs the run directory holding last.ckpt");
}

/**
 * Trains the supernet's shared store in place (see the module doc).
 *
 * @example
 * ```ts ignore
 * const r = await trainSupernet({ space, store, data, epochs: 2, batchSize: 64, lr: 0.05,
 *   optimizer: { kind: "sgd", momentum: 0.9 }, schedule: "cosine",
 *   distill: { temperature: 1, alpha: 0.5 }, seed: 0, backend: "web" });
 * ```
 */
export async function trainSupernet(o: SupernetTrainOptions): Promise<SupernetTrainResult> {
  check(o);
  const { space, store, data } = o;
  const nTrain = data.train.y.length;
  const stepsPerEpoch = Math.floor(nTrain / o.batchSize);
  const totalSteps = o.epochs * stepsPerEpoch;
  const schedule = {
    base: o.lr,
    kind: o.schedule,
    totalSteps,
    warmupSteps: Math.round((o.warmupEpochs ?? 0) * stepsPerEpoch),
  };
  const root = createRng(o.seed).fork("ensemble");
  const sampling = o.sampling ?? "uniform";
  const random = o.random ?? 2;
  const watched = watchedConfigs(
    space,
    root.fork("watched"),
    o.watchRandom ?? 3,
    sampling,
    random,
  );
  const arch = await ensembleArchitectureHash(store);
  const optimizer = createOptimizer(o.optimizer);
  let epoch = 0;
  let history: SupernetEpoch[] = [];
  let best: BestStore = { epoch: 0, score: -1, store: copyStore(store, store.origin) };
  const settings = {
    ...o.settings,
    ...optimizationSettings(o),
    random,
    sampling,
    distill: o.distill,
    ...(o.featureDistill ? { featureDistill: o.featureDistill } : {}),
    ...(o.teacher ? { teacher: o.teacher.identity } : {}),
    ...(o.reorderChannels ? { reorderChannels: true } : {}),
    ...((o.configSteps ?? 1) !== 1 ? { configSteps: o.configSteps } : {}),
    ...(o.lowRankTraining === "projected" ? { lowRankTraining: "projected" } : {}),
    ...(o.gradientReduction === "mean" ? { gradientReduction: "mean" } : {}),
    ...(o.classBalanced ? { classBalanced: true } : {}),
    ...(o.classBalanced && o.classBalancePower ? { classBalancePower: o.classBalancePower } : {}),
    ...(o.largestOnlyEpochs ? { largestOnlyEpochs: o.largestOnlyEpochs } : {}),
    watchRandom: o.watchRandom ?? 3,
    calibrationSamples: o.calibrationSamples ?? 256,
    trainSamples: nTrain,
  };
  if (o.resume) {
    const expect = { architectureHash: arch, settings };
    const r = await loadEnsembleCheckpoint(o.outDir!, expect, store, optimizer);
    ({ epoch, history, best } = r);
  }
  const resumedFromEpoch = epoch;
  const cache = createSessionCache(store, space, {
    inputShape: data.inputShape,
    batchSize: o.batchSize,
    backend: o.backend,
    workers: o.workers,
    // Room for a step's configurations, which --config-steps reuses on the next step.
    capacity: Math.max(12, random + 4),
    lowRank: o.lowRankTraining,
  });
  const ctx: EnsembleContext = {
    store,
    cache,
    optimizer,
    buffer: createGradientBuffer(store, o.gradientReduction),
    distill: o.distill,
    featureDistill: o.featureDistill ?? 0,
    ...(o.teacher ? { teacher: o.teacher.run } : {}),
  };
  let interrupted = false, trainSeconds = 0, trainedSamples = 0;
  try {
    for (; epoch < o.epochs && !interrupted; epoch++) {
      const orderRng = root.fork(`order/${epoch}`);
      const order = o.classBalanced
        ? classBalancedOrder(data.train.y, nTrain, orderRng, o.classBalancePower ?? 0)
        : orderRng.shuffle(Array.from({ length: nTrain }, (_, i) => i));
      const t0 = performance.now();
      const sums = await runEpoch(o, ctx, epoch, order, stepsPerEpoch, schedule);
      interrupted = sums.interrupted;
      const lr = sums.lr;
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      trainedSamples += sums.steps * o.batchSize;
      if (interrupted) break;
      if (o.reorderChannels) reorderDuringTraining(store, space, optimizer);
      const validation = await validateConfigs(store, space, watched, data.val, {
        inputShape: data.inputShape,
        calibration: { x: data.train.x, key: data.key },
        calibrationSamples: o.calibrationSamples ?? 256,
        backend: o.backend,
      });
      o.onProgress?.({ phase: "eval", epoch: epoch + 1, epochs: o.epochs, results: validation });
      const n = Math.max(1, sums.steps);
      const sandwich = trainsStudents(o, epoch);
      history.push({
        epoch: epoch + 1,
        lr,
        lossLargest: sums.largest / n,
        lossSmallest: sandwich ? sums.smallest / n : NaN,
        lossRandom: sandwich && random > 0 ? sums.random / n : NaN,
        trainAccuracyLargest: sums.correct / (n * o.batchSize),
        seconds,
        samplesPerSecond: (sums.steps * o.batchSize) / seconds,
        validation,
      });
      const score = validation.reduce((a, v) => a + v.accuracy, 0) / validation.length;
      const improved = score > best.score;
      if (improved) best = { epoch: epoch + 1, score, store: copyStore(store, store.origin) };
      if (o.outDir) {
        await saveEnsembleCheckpoints(o.outDir, {
          architectureHash: arch,
          settings,
          seed: o.seed,
          plannedEpochs: o.epochs,
          epoch: epoch + 1,
          optimizer,
          store,
          best,
          improved,
          history,
        });
      }
    }
  } finally {
    await cache.close();
  }
  return {
    epochs: history,
    bestEpoch: best.epoch,
    bestScore: best.score,
    best: best.store,
    steps: optimizer.steps,
    resumedFromEpoch,
    interrupted,
    trainSeconds,
    samplesPerSecond: trainSeconds > 0 ? trainedSamples / trainSeconds : 0,
    sessionsBuilt: cache.built,
    sessionBuildSeconds: cache.buildMs / 1000,
  };
}

/** Running sums of one epoch. */
interface EpochSums {
  largest: number;
  smallest: number;
  random: number;
  correct: number;
  steps: number;
  lr: number;
  interrupted: boolean;
}

/** Whether (0-based) `epoch` trains the students, i.e. is past the largest-only epochs. */
function trainsStudents(o: SupernetTrainOptions, epoch: number): boolean {
  return epoch >= (o.largestOnlyEpochs ?? 0);
}

/** The sandwich steps of one epoch over the shuffled `order`; stops early on abort. */
async function runEpoch(
  o: SupernetTrainOptions,
  ctx: EnsembleContext,
  epoch: number,
  order: readonly number[],
  stepsPerEpoch: number,
  schedule: Schedule,
): Promise<EpochSums> {
  const { space, data } = o;
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  const random = o.random ?? 2, sampling = o.sampling ?? "uniform";
  const configSteps = o.configSteps ?? 1;
  const sandwich = trainsStudents(o, epoch);
  const root = createRng(o.seed).fork("ensemble");
  const largest = largestConfig(space);
  const smallest = { ...smallestConfig(space), int8: false };
  const x = new Float32Array(o.batchSize * size);
  const y = new BigInt64Array(o.batchSize);
  const sums: EpochSums = {
    largest: 0,
    smallest: 0,
    random: 0,
    correct: 0,
    steps: 0,
    lr: 0,
    interrupted: false,
  };
  const t0 = performance.now();
  for (let s = 0; s < stepsPerEpoch; s++) {
    if (await abortedNow(o.signal)) {
      sums.interrupted = true;
      break;
    }
    for (let i = 0; i < o.batchSize; i++) {
      const idx = order[s * o.batchSize + i];
      x.set(data.train.x.subarray(idx * size, (idx + 1) * size), i * size);
      y[i] = BigInt(data.train.y[idx]);
    }
    // Draws are a function of the step (or group of configSteps steps), so a resumed run
    // draws what the uninterrupted run would have.
    const group = Math.floor(ctx.optimizer.steps / configSteps);
    const rng = root.fork(`configs/${group}`);
    const students = sandwich ? [smallest] : [];
    // The slot counts on over steps, so that corners alternate with mixes even at --random 1.
    for (let k = 0; sandwich && k < random; k++) {
      students.push(drawConfig(space, rng, sampling, group * random + k, random));
    }
    sums.lr = learningRate(schedule, ctx.optimizer.steps);
    const batch = { x, y, inputShape: data.inputShape };
    const r = await ensembleStep(ctx, batch, largest, students, sums.lr);
    sums.largest += r.largest.loss;
    sums.smallest += r.students[0]?.loss ?? 0;
    for (const st of r.students.slice(1)) sums.random += st.loss / random;
    sums.correct += r.largest.correct;
    sums.steps++;
    const rate = ((s + 1) * o.batchSize) / ((performance.now() - t0) / 1000);
    const left = (stepsPerEpoch - s - 1 + (o.epochs - epoch - 1) * stepsPerEpoch) * o.batchSize;
    o.onProgress?.({
      phase: "train",
      epoch: epoch + 1,
      epochs: o.epochs,
      step: s + 1,
      stepsPerEpoch,
      lossLargest: sums.largest / sums.steps,
      lossSmallest: sandwich ? sums.smallest / sums.steps : NaN,
      samplesPerSecond: rate,
      etaSeconds: left / rate,
    });
  }
  return sums;
}
