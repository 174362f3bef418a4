/**
 * Trains any forward graph (not only task backbones) on a prepared dataset through the ONNX
 * training artifacts: epochs of shuffled mini-batches (the last partial batch is dropped, so
 * the training graph keeps a static batch), validation each epoch, best-checkpoint keeping,
 * exact resume, progress callbacks, data-parallel workers, and clean interruption.
 *
 * Checkpoints (in `outDir`): `last.ckpt` after every epoch, `best.ckpt` whenever validation
 * accuracy improves. An abort (Ctrl-C) stops between steps and writes nothing, so both files
 * stay as they were after the last completed epoch.
 *
 * @example
 * ```ts ignore
 * import { train } from "./trainer.ts";
 * const result = await train({ forward, data, epochs: 2, batchSize: 64, lr: 0.05,
 *   optimizer: { kind: "sgd", momentum: 0.9 }, schedule: "cosine", seed: 0 });
 * console.log(result.test?.accuracy);
 * ```
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { GraphData } from "../onnx/types.ts";
import { abortedNow } from "../util/abort.ts";
import { createRng, restoreRng, type Rng } from "../util/rng.ts";
import { type Artifacts, buildArtifacts, writeArtifacts } from "./artifacts.ts";
import {
  architectureHash,
  type Checkpoint,
  type CheckpointExpectation,
  isCheckpointMissing,
  readCheckpoint,
  settingsHash,
  writeCheckpoint,
} from "./checkpoint.ts";
import { createEngine, type StepEngine } from "./engine.ts";
import { evaluateSplit } from "./evaluate.ts";
import { createOptimizer, type Optimizer, type OptimizerConfig, type Param } from "./optimizer.ts";
import { openSession } from "./ort.ts";
import { learningRate, type Schedule, type ScheduleKind } from "./schedule.ts";
import {
  checkOptions,
  type EpochMetrics,
  type TrainOptions,
  type TrainResult,
} from "./trainer_options.ts";

export * from "./trainer_options.ts";

type Values = Record<string, Param>;

function initialValues(forward: GraphData, names: readonly string[]): Values {
  const byName = new Map(forward.initializers.map((t) => [t.name, t]));
  return Object.fromEntries(names.map((n) => {
    const t = byName.get(n)!;
    return [n, { shape: [...t.shape], data: new Float32Array(t.data as Float32Array) }];
  }));
}

function copyValues(v: Readonly<Values>): Values {
  return Object.fromEntries(
    Object.entries(v).map(([k, p]) => [k, { shape: p.shape, data: new Float32Array(p.data) }]),
  );
}

/** Mutable state of a run: weights, statistics, optimizer, data-order RNG, best so far. */
interface RunState {
  params: Values;
  state: Values;
  optimizer: Optimizer;
  rng: Rng;
  epoch: number;
  best: { epoch: number; accuracy: number; values: Values };
}

/**
 * The optimisation settings every resumable run records (the trainer's and ensemble
 * training's): seed, batch size, learning rate, optimizer, schedule and warm-up.
 */
export function optimizationSettings(o: {
  readonly seed: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerConfig;
  readonly schedule: ScheduleKind;
  readonly warmupEpochs?: number;
}): Record<string, unknown> {
  return {
    seed: o.seed,
    batchSize: o.batchSize,
    lr: o.lr,
    optimizer: o.optimizer,
    schedule: o.schedule,
    warmupEpochs: o.warmupEpochs ?? 0,
  };
}

/**
 * The settings a resumed run must share with its checkpoint (hashed into its `configHash`):
 * the caller's `settings` (task, model, data limit, ...), seed, batch size, learning rate,
 * optimizer, schedule, warm-up, label smoothing, trained parameters and training-set size.
 * Not the epoch count (a run may be extended), the workers or the backend.
 */
export function trainingSettings(o: TrainOptions): Record<string, unknown> {
  return {
    ...o.settings,
    ...optimizationSettings(o),
    labelSmoothing: o.labelSmoothing ?? 0,
    params: o.params ?? null,
    trainSamples: o.data.train.y.length,
  };
}

/** Warnings a resume from `c` deserves: an unverifiable old format, a changed epoch count. */
function resumeWarnings(o: TrainOptions, c: Checkpoint, path: string): void {
  if (c.version === 1) {
    o.onWarning?.(
      `${path} is a format-1 checkpoint (older adaspring) that records no comparable training ` +
        `settings, so they are not checked; resume it only with the settings it was trained with`,
    );
  }
  const planned = c.metrics.epochs;
  if (planned !== undefined && planned !== o.epochs && o.schedule !== "constant") {
    o.onWarning?.(
      `resuming a run planned for ${planned} epochs with ${o.epochs}: the ${o.schedule} ` +
        `learning-rate schedule is recomputed for ${o.epochs} epochs from step ` +
        `${c.step}, so the rest of the run follows the ${o.epochs}-epoch curve`,
    );
  }
  if (c.epoch >= o.epochs) {
    o.onWarning?.(
      `${path} has already completed ${c.epoch} epochs (asked for ${o.epochs}); nothing to train`,
    );
  }
}

async function startState(
  o: TrainOptions,
  a: Artifacts,
  expect: CheckpointExpectation,
): Promise<RunState> {
  const params = initialValues(o.forward, a.training.params);
  const state = initialValues(o.forward, a.training.state);
  const run: RunState = {
    params,
    state,
    optimizer: createOptimizer(o.optimizer),
    rng: createRng(o.seed).fork("train-order"),
    epoch: 0,
    best: { epoch: 0, accuracy: -1, values: copyValues({ ...params, ...state }) },
  };
  if (!o.resume) return run;
  if (!o.outDir) throw badInput("resume needs the run directory holding last.ckpt");
  const lastPath = `${o.outDir}/last.ckpt`;
  const c = await readCheckpoint(lastPath, expect);
  resumeWarnings(o, c, lastPath);
  run.params = copyValues(c.params);
  run.state = copyValues(c.state);
  run.optimizer.restore(c.optimizer.slots, c.optimizer.steps);
  run.rng = restoreRng(c.rng);
  run.epoch = c.epoch;
  let bestValues = copyValues({ ...c.params, ...c.state });
  try {
    const b = await readCheckpoint(`${o.outDir}/best.ckpt`, expect);
    bestValues = copyValues({ ...b.params, ...b.state });
  } catch (e) {
    // No best.ckpt yet: the last weights stand in. A corrupt or foreign one is an error.
    if (!isCheckpointMissing(e)) throw e;
  }
  run.best = {
    epoch: c.metrics.bestEpoch ?? 0,
    accuracy: c.metrics.bestValAccuracy ?? -1,
    values: bestValues,
  };
  return run;
}

interface EpochTotals {
  lossSum: number;
  correct: number;
  seen: number;
  lr: number;
  seconds: number;
  interrupted: boolean;
}

/** One pass over the shuffled training split; stops early (interrupted) on abort. */
async function runEpoch(
  o: TrainOptions,
  run: RunState,
  engine: StepEngine,
  schedule: Schedule,
  stepsPerEpoch: number,
): Promise<EpochTotals> {
  const size = o.data.inputShape.reduce((p, d) => p * d, 1);
  const train = o.data.train;
  const order = run.rng.shuffle(Array.from({ length: train.y.length }, (_, i) => i));
  const x = new Float32Array(o.batchSize * size);
  const y = new BigInt64Array(o.batchSize);
  const t0 = performance.now();
  const totals: EpochTotals = {
    lossSum: 0,
    correct: 0,
    seen: 0,
    lr: 0,
    seconds: 0,
    interrupted: false,
  };
  for (let s = 0; s < stepsPerEpoch; s++) {
    if (await abortedNow(o.signal)) {
      totals.interrupted = true;
      break;
    }
    for (let i = 0; i < o.batchSize; i++) {
      const idx = order[s * o.batchSize + i];
      x.set(train.x.subarray(idx * size, (idx + 1) * size), i * size);
      y[i] = BigInt(train.y[idx]);
    }
    const r = await engine.step(run.params, run.state, x, y);
    if (!Number.isFinite(r.loss)) {
      throw badInput(
        `training diverged at epoch ${run.epoch + 1}, step ${s + 1} (loss ${r.loss}); ` +
          `lower the learning rate (--lr)`,
      );
    }
    totals.lr = learningRate(schedule, run.optimizer.steps);
    run.optimizer.step(run.params, r.grads, totals.lr);
    for (const [k, v] of Object.entries(r.state)) {
      run.state[k] = { shape: run.state[k].shape, data: v };
    }
    totals.lossSum += r.loss * o.batchSize;
    totals.correct += r.correct;
    totals.seen += o.batchSize;
    const rate = totals.seen / ((performance.now() - t0) / 1000);
    const left = (stepsPerEpoch - s - 1 + (o.epochs - run.epoch - 1) * stepsPerEpoch) * o.batchSize;
    o.onProgress?.({
      phase: "train",
      epoch: run.epoch + 1,
      epochs: o.epochs,
      step: s + 1,
      stepsPerEpoch,
      loss: totals.lossSum / totals.seen,
      accuracy: totals.correct / totals.seen,
      samplesPerSecond: rate,
      etaSeconds: left / rate,
    });
  }
  totals.seconds = (performance.now() - t0) / 1000;
  return totals;
}

async function saveCheckpoints(
  o: TrainOptions,
  run: RunState,
  arch: string,
  settings: Record<string, unknown>,
  improved: boolean,
  valAccuracy: number,
) {
  if (!o.outDir) return;
  const ckpt = {
    architectureHash: arch,
    configHash: settingsHash(settings),
    settings,
    step: run.optimizer.steps,
    epoch: run.epoch,
    rng: run.rng.state(),
    params: run.params,
    state: run.state,
    optimizer: { kind: o.optimizer.kind, steps: run.optimizer.steps, slots: run.optimizer.state() },
    metrics: {
      bestEpoch: run.best.epoch,
      bestValAccuracy: run.best.accuracy,
      valAccuracy,
      epochs: o.epochs,
    },
  };
  if (improved) await writeCheckpoint(`${o.outDir}/best.ckpt`, ckpt);
  await writeCheckpoint(`${o.outDir}/last.ckpt`, ckpt);
}

/** Trains `o.forward` (see the module doc). */
export async function train(o: TrainOptions): Promise<TrainResult> {
  checkOptions(o);
  const workers = o.workers ?? 1;
  const backend = o.backend ?? "web";
  const arch = architectureHash(o.forward);
  const loss = { kind: "cross-entropy" as const, labelSmoothing: o.labelSmoothing ?? 0 };
  const artifacts = buildArtifacts(o.forward, {
    loss,
    batchSize: o.batchSize / workers,
    params: o.params,
  });
  const settings = trainingSettings(o);
  const run = await startState(o, artifacts, { architectureHash: arch, settings });
  if (o.outDir) await writeArtifacts(o.outDir, artifacts);
  const stepsPerEpoch = Math.floor(o.data.train.y.length / o.batchSize);
  const schedule: Schedule = {
    base: o.lr,
    kind: o.schedule,
    totalSteps: stepsPerEpoch * o.epochs,
    warmupSteps: Math.round((o.warmupEpochs ?? 0) * stepsPerEpoch),
  };
  const startEpoch = run.epoch;
  const history: EpochMetrics[] = [];
  let trainSeconds = 0, trainSamples = 0, interrupted = false;
  const sampleShape = o.data.inputShape;
  const engine = await createEngine(artifacts.training, artifacts.trainingBytes, {
    workers,
    backend,
    sampleShape,
  });
  const evalSession = await openSession(artifacts.evalBytes, backend);
  try {
    while (run.epoch < o.epochs) {
      const t = await runEpoch(o, run, engine, schedule, stepsPerEpoch);
      trainSeconds += t.seconds;
      trainSamples += t.seen;
      if (t.interrupted) {
        interrupted = true;
        break;
      }
      run.epoch++;
      const val = await evaluateSplit(
        evalSession,
        artifacts.eval,
        { ...run.params, ...run.state },
        o.data.val,
        sampleShape,
      );
      const m: EpochMetrics = {
        epoch: run.epoch,
        lr: t.lr,
        trainLoss: t.lossSum / t.seen,
        trainAccuracy: t.correct / t.seen,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
        seconds: t.seconds,
        samplesPerSecond: t.seen / t.seconds,
      };
      history.push(m);
      o.onProgress?.({
        phase: "eval",
        epoch: run.epoch,
        epochs: o.epochs,
        step: stepsPerEpoch,
        stepsPerEpoch,
        loss: val.loss,
        accuracy: val.accuracy,
        samplesPerSecond: m.samplesPerSecond,
        etaSeconds: (o.epochs - run.epoch) * t.seconds,
      });
      const improved = val.accuracy > run.best.accuracy;
      if (improved) {
        run.best = {
          epoch: run.epoch,
          accuracy: val.accuracy,
          values: copyValues({ ...run.params, ...run.state }),
        };
      }
      await saveCheckpoints(o, run, arch, settings, improved, val.accuracy);
    }
    const test = o.data.test && !interrupted
      ? await evaluateSplit(evalSession, artifacts.eval, run.best.values, o.data.test, sampleShape)
      : undefined;
    return {
      epochs: history,
      bestEpoch: run.best.epoch,
      bestValAccuracy: run.best.accuracy,
      test,
      interrupted,
      resumedFromEpoch: startEpoch,
      steps: run.optimizer.steps,
      trainSeconds,
      samplesPerSecond: trainSeconds ? trainSamples / trainSeconds : 0,
      values: run.best.values,
      architectureHash: arch,
    };
  } finally {
    await engine.close();
    await evalSession.release();
  }
}
