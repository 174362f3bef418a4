/**
 * One task of an evaluation suite: its config, data (limited to the suite's budget), search
 * space, hyper-parameters, and the work directory its stages cache their results in.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { loadTaskConfig, type TaskConfig } from "../config/task.ts";
import type { SuiteConfig } from "../config/suite.ts";
import { prepareDataset } from "../data/prepare.ts";
import { limitSamples } from "../data/split.ts";
import { createRng } from "../util/rng.ts";
import type { PrepareResult } from "../data/prepare.ts";
import type { Samples } from "../data/types.ts";
import { createSearchSpace, type SearchSpace } from "../supernet/space.ts";
import type { CalibrationData } from "../supernet/bn_calibration.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { badInput } from "../errors.ts";
import { canonicalJson } from "../data/cache.ts";

/** A task ready for the evaluation stages. */
export interface EvalTask {
  readonly config: TaskConfig;
  readonly path: string;
  readonly hash: string;
  readonly seed: number;
  readonly data: PrepareResult;
  readonly train: Samples;
  readonly val: Samples;
  readonly test: Samples;
  readonly space: SearchSpace;
  readonly calibration: CalibrationData;
  /** Where this task's stages keep their results (resume reads them back). */
  readonly dir: string;
  readonly log: (line: string) => void;
}

/** Load `task` for `suite`, its stages working under `workDir/<task>`. */
export async function setupTask(
  task: string,
  suite: SuiteConfig,
  workDir: string,
  log: (line: string) => void,
): Promise<EvalTask> {
  const { config, path, hash } = await loadTaskConfig(task);
  const seed = suite.seed;
  const data = await prepareDataset(config.name, config.dataset, {
    seed,
    baseDir: dirname(path),
    onWarning: (m) => log(`warning: ${m}`),
  });
  const rng = createRng(seed);
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  const limit = suite.limit ?? undefined;
  const train = limitSamples(data.train, limit, size, rng.fork("limit/train"));
  const dir = join(workDir, config.name);
  await Deno.mkdir(dir, { recursive: true });
  await stampInputs(dir, { task: hash, seed, limit: suite.limit });
  return {
    config,
    path,
    hash,
    seed,
    data,
    train,
    val: limitSamples(data.val, limit, size, rng.fork("limit/val")),
    test: limitSamples(data.test, limit, size, rng.fork("limit/test")),
    space: createSearchSpace(config),
    calibration: { x: train.x, inputShape: data.inputShape, key: `${data.checksum}|${limit}` },
    dir,
    log,
  };
}

/** Read a stage's saved JSON result, or `null` when the stage has not finished. */
export async function readStage<T>(path: string): Promise<T | null> {
  try {
    return JSON.parse(await Deno.readTextFile(path)) as T;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
}

/** Save a stage's JSON result atomically. */
export async function writeStage(path: string, value: unknown): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, JSON.stringify(value, null, 1) + "\n");
}

/**
 * Stage results are only valid for the inputs that made them. Each stage directory carries an
 * `inputs.json` (the task's own: task file hash, seed, sample limit; a stage's: its budgets):
 * the first run writes it; a later run with other inputs is refused rather than silently mixing
 * stale results into new figures. Stamps are per stage so that changing one budget (say the
 * supernet's sampling) keeps the other stages (the baselines) reusable.
 *
 * A stage directory that already holds results but no stamp was made by an older adaspring
 * (one stamp for the whole task) and is refused too.
 */
export async function stampInputs(dir: string, inputs: Record<string, unknown>): Promise<void> {
  const path = join(dir, "inputs.json");
  const text = JSON.stringify(inputs, null, 1) + "\n";
  const saved = await readStage<Record<string, unknown>>(path);
  if (saved === null) {
    await Deno.mkdir(dir, { recursive: true });
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".json")) {
        throw badInput(
          `${dir} holds results without an inputs.json stamp (made by an older adaspring); ` +
            `delete that directory or pass another --work directory`,
        );
      }
    }
    return await writeFileAtomic(path, text);
  }
  // Key order does not matter (a per-task override appends its keys after the suite's).
  if (canonicalJson(saved) !== canonicalJson(inputs)) {
    throw badInput(
      `${dir} holds results made with other inputs (see ${path}: task file, seed or ` +
        `budgets); delete that directory or pass another --work directory`,
    );
  }
}
