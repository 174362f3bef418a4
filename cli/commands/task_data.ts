/**
 * What the training commands share: load a task, resolve its seed, prepare its data, apply
 * `--limit`, and merge command-line overrides into the task's training hyper-parameters.
 *
 * @module
 */
import { dirname } from "node:path";
import { loadTaskConfig, type TaskConfig } from "../../lib/config/task.ts";
import { prepareDataset, type PrepareResult } from "../../lib/data/prepare.ts";
import { limitSamples } from "../../lib/data/split.ts";
import { createRng } from "../../lib/util/rng.ts";
import type { Samples } from "../../lib/data/types.ts";

/** A task loaded with its data, splits limited to `--limit` samples each. */
export interface TaskData {
  config: TaskConfig;
  path: string;
  seed: number;
  data: PrepareResult;
  train: Samples;
  val: Samples;
  test: Samples;
  /** performance.now() when the data was ready. */
  preparedAt: number;
}

/** Load `task` and its data; `seed` overrides the task's own seed. */
export async function loadTaskData(
  task: string,
  seed: number | undefined,
  limit: number | undefined,
): Promise<TaskData> {
  const { config, path } = await loadTaskConfig(task);
  const resolvedSeed = seed ?? config.seed;
  const data = await prepareDataset(config.name, config.dataset, {
    seed: resolvedSeed,
    baseDir: dirname(path),
    onWarning: (m) => console.error(`warning: ${m}`),
  });
  const preparedAt = performance.now();
  const rng = createRng(resolvedSeed);
  const size = data.inputShape.reduce((p, d) => p * d, 1);
  return {
    config,
    path,
    seed: resolvedSeed,
    data,
    train: limitSamples(data.train, limit, size, rng.fork("limit/train")),
    val: limitSamples(data.val, limit, size, rng.fork("limit/val")),
    test: limitSamples(data.test, limit, size, rng.fork("limit/test")),
    preparedAt,
  };
}

/** Command-line overrides of the task's training settings. */
export interface HyperOverrides {
  epochs?: number;
  batch?: number;
  lr?: number;
  optimizer?: "sgd" | "adam";
  limit?: number;
}

/** The task's training hyper-parameters with the command line's overrides applied. */
export function resolveHyper(tc: TaskConfig["training"], o: HyperOverrides) {
  return {
    epochs: o.epochs ?? tc.epochs,
    batchSize: o.batch ?? tc.batchSize,
    lr: o.lr ?? tc.lr,
    optimizer: o.optimizer ?? tc.optimizer,
    momentum: tc.momentum,
    weightDecay: tc.weightDecay,
    schedule: tc.schedule,
    warmupEpochs: tc.warmupEpochs,
    limit: o.limit ?? null,
  };
}
