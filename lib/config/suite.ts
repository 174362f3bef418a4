/**
 * Evaluation suites (`configs/evaluate/*.yaml`): which tasks and platforms `adaspring evaluate`
 * covers and with what budgets. `paper` is the full comparison; `quick` runs the same code
 * path on small budgets (CI). Every budget is recorded in the report next to its figures.
 *
 * @module
 */
import { z } from "zod";
import { SAMPLINGS } from "../supernet/ensemble_step.ts";
import { LOW_RANK_TRAININGS } from "../supernet/train_graph.ts";
import { GRADIENT_REDUCTIONS } from "../supernet/ensemble_step.ts";
import { fraction, identifier, nonNegative, positiveInt } from "./fields.ts";
import { loadConfigFile, type LoadedConfig } from "./source.ts";
import { displayPath, repoPath } from "../util/paths.ts";

/**
 * The supernet settings without defaults: absent means the trainer's default, so that stage
 * stamps written before a setting existed still match, and a per-task override names only what
 * it changes.
 */
const SUPERNET_OPTIONALS = {
  featureDistill: z.number().nonnegative().optional()
    .describe(
      "block-wise feature distillation weight (train-supernet --feature-distill); 0 or absent: off",
    ),
  reorderChannels: z.boolean().optional()
    .describe("importance-order channels after each epoch (train-supernet --reorder-channels)"),
  lowRankTraining: z.enum(LOW_RANK_TRAININGS).optional()
    .describe(
      "how low-rank blocks are trained (train-supernet --low-rank-training); absent: straight-through",
    ),
  configSteps: positiveInt().optional()
    .describe(
      "steps each sampled configuration is trained for (train-supernet --config-steps); absent: 1",
    ),
  largestOnlyEpochs: z.number().int().nonnegative().optional()
    .describe(
      "first epochs that train the largest configuration only, within epochs " +
        "(train-supernet --largest-only-epochs); absent: 0",
    ),
  distillAlpha: fraction().optional()
    .describe(
      "weight of in-place distillation from the largest vs the labels in each student's loss " +
        "(train-supernet --distill-alpha); absent: 0.5",
    ),
  teacher: z.enum(["backbone"]).optional()
    .describe(
      "backbone: Once-for-All's order, the backbone baseline (trained alone first) starts the " +
        "shared weights of the largest configuration and is the fixed teacher every student " +
        "distils from (train-supernet --teacher); its training time is counted in the " +
        "supernet's; absent: in-place distillation from the largest, from scratch",
    ),
  classBalanced: z.boolean().optional()
    .describe("class-balanced batches (train-supernet --class-balanced); absent: off"),
  classBalancePower: z.number().min(0).max(1).optional()
    .describe(
      "with classBalanced, classes drawn by count ** power (train-supernet --class-balanced " +
        "POWER); absent: 0, uniformly",
    ),
  seeds: positiveInt().optional()
    .describe(
      "supernets trained, with seeds seed, seed + 1, ... (evaluate only): the first is the one " +
        "profiled, searched and matched; the others measure the derived spanning " +
        "configurations' run-to-run spread; not part of the stage stamps; absent: 1",
    ),
  gradientReduction: z.enum(GRADIENT_REDUCTIONS).optional()
    .describe(
      "how configurations' gradients on a shared weight combine (train-supernet " +
        "--gradient-reduction); absent: sum",
    ),
};

/** The schema of a suite file. */
export const suiteSchema = z.strictObject({
  name: identifier(),
  description: z.string().default(""),
  seed: z.number().int().nonnegative().default(0),
  tasks: z.array(z.string().min(1)).min(1).describe("task names or paths"),
  platforms: z.array(z.string().min(1)).min(1)
    .describe("platform names or paths; host is measured, the others modeled"),
  limit: positiveInt().nullable().default(null)
    .describe("samples per split (train, val, test); null uses the whole dataset"),
  supernet: z.strictObject({
    epochs: positiveInt(),
    random: z.number().int().nonnegative().default(2),
    sampling: z.enum(SAMPLINGS).default("uniform")
      .describe(
        "how the sampled configurations of each step are drawn (train-supernet --sampling)",
      ),
    workers: positiveInt().default(1)
      .describe("data-parallel workers (train-supernet --workers); must divide the batch size"),
    ...SUPERNET_OPTIONALS,
  }),
  supernetByTask: z.record(
    z.string().min(1),
    z.strictObject({
      ...SUPERNET_OPTIONALS,
      epochs: positiveInt().optional()
        .describe(
          "the task's supernet epochs, over supernet.epochs and epochsByTask (its baselines " +
            "and alone runs keep theirs): e.g. a supernet trained for about the time its " +
            "spanning configurations take alone; the report gives both training times",
        ),
    }),
  ).optional()
    .describe(
      "per-task overrides of the supernet's optional settings, by task name (e.g. sensor: " +
        "{classBalanced: true, classBalancePower: 0.5}); the task's supernet and profile " +
        "stages are stamped with its merged settings",
    ),
  epochsByTask: z.record(z.string().min(1), positiveInt()).optional()
    .describe(
      "per-task epochs, by task name (e.g. sound: 16): the task's supernet, its baselines " +
        "trained from scratch and its alone runs all train for this many epochs instead of " +
        "supernet.epochs and baselines.epochs, so the comparison stays at the same epochs",
    ),
  baselines: z.strictObject({
    epochs: positiveInt().describe("epochs of every baseline trained from scratch"),
    finetuneEpochs: positiveInt().describe("fine-tuning epochs of low-rank and pruning"),
    sparsity: fraction().default(0.5).describe("magnitude pruning: fraction of weights zeroed"),
    aloneSampled: z.number().int().nonnegative().default(3)
      .describe("sampled configurations trained alone (with the smallest) for shared vs alone"),
    aloneSeeds: positiveInt().default(1)
      .describe(
        "seeds each spanning configuration (the largest too) is trained alone with for shared " +
          "vs alone; above 1 the report shows the alone-vs-alone spread (the noise floor)",
      ),
  }),
  profile: z.strictObject({
    quick: z.boolean().default(false),
    latencySamples: positiveInt().optional(),
    accuracySamples: positiveInt().optional(),
    repeats: positiveInt().optional(),
  }).default({ quick: false }),
  matching: z.strictObject({
    tolerance: nonNegative().default(0)
      .describe("adaspring matches a baseline when its accuracy >= the baseline's - tolerance"),
    maxCandidates: positiveInt().default(24)
      .describe("Pareto configurations whose test accuracy is measured, fastest first"),
    sensitivity: z.array(nonNegative()).default([0.01, 0.02, 0.05])
      .describe("further tolerances whose matches and ratios are reported alongside"),
  }).default({ tolerance: 0, maxCandidates: 24, sensitivity: [0.01, 0.02, 0.05] }),
  latency: z.strictObject({
    rounds: positiveInt().default(10).describe("interleaved rounds over every model (host)"),
    runsPerRound: positiveInt().default(5),
  }).default({ rounds: 10, runsPerRound: 5 }),
  search: z.strictObject({
    repeat: positiveInt().default(20).describe("timed repetitions of each search"),
    contexts: z.array(z.string().min(1)).default(["configs/contexts/commute-snapshot.yaml"]),
  }).default({ repeat: 20, contexts: ["configs/contexts/commute-snapshot.yaml"] }),
  caseStudy: z.strictObject({
    traces: z.array(z.string().min(1)).default([]),
  }).default({ traces: [] }),
});

/** A validated suite. */
export type SuiteConfig = z.output<typeof suiteSchema>;

/** The supernet settings of a suite's task: `supernet` with the task's `supernetByTask` entry. */
export type SupernetSettings = SuiteConfig["supernet"];

/** The baselines' (and alone runs') settings of a suite's task. */
export type BaselineSettings = SuiteConfig["baselines"];

/**
 * `suite.supernet` overridden by `suite.supernetByTask[task]` and `suite.epochsByTask[task]`
 * (absent keys left out, so a task without an override gets exactly `suite.supernet`, and its
 * stage stamps are unchanged).
 *
 * @example
 * ```ts
 * import { supernetSettingsFor } from "./suite.ts";
 * const suite = { supernet: { epochs: 8, random: 8, sampling: "uniform", workers: 2 },
 *   supernetByTask: { sensor: { classBalanced: true, classBalancePower: 0.5 } } } as const;
 * console.assert(supernetSettingsFor(suite, "sensor").classBalancePower === 0.5);
 * console.assert(supernetSettingsFor(suite, "mnist") === suite.supernet);
 * ```
 */
export function supernetSettingsFor(
  suite: Pick<SuiteConfig, "supernet" | "supernetByTask" | "epochsByTask">,
  task: string,
): SupernetSettings {
  const over = suite.supernetByTask?.[task];
  const epochs = suite.epochsByTask?.[task];
  if (!over && epochs === undefined) return suite.supernet;
  const defined = Object.entries(over ?? {}).filter(([, v]) => v !== undefined);
  return {
    ...suite.supernet,
    ...(epochs === undefined ? {} : { epochs }),
    ...Object.fromEntries(defined),
  };
}

/**
 * `suite.baselines` with the task's `epochsByTask` entry as its epochs (fine-tuning epochs stay
 * the suite's); exactly `suite.baselines` for a task without one.
 *
 * @example
 * ```ts
 * import { baselineSettingsFor } from "./suite.ts";
 * const suite = {
 *   baselines: { epochs: 8, finetuneEpochs: 2, sparsity: 0.5, aloneSampled: 3, aloneSeeds: 2 },
 *   epochsByTask: { sound: 16 },
 * };
 * console.assert(baselineSettingsFor(suite, "sound").epochs === 16);
 * console.assert(baselineSettingsFor(suite, "mnist") === suite.baselines);
 * ```
 */
export function baselineSettingsFor(
  suite: Pick<SuiteConfig, "baselines" | "epochsByTask">,
  task: string,
): BaselineSettings {
  const epochs = suite.epochsByTask?.[task];
  return epochs === undefined ? suite.baselines : { ...suite.baselines, epochs };
}

/** Resolve a suite name (`quick`, `paper`) or path to a file path. */
export function suitePath(nameOrPath: string): string {
  if (nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath)) return nameOrPath;
  return displayPath(repoPath("configs", "evaluate", `${nameOrPath}.yaml`));
}

/** Load and validate a suite by name or path. */
export function loadSuiteConfig(nameOrPath: string): Promise<LoadedConfig<SuiteConfig>> {
  return loadConfigFile(suitePath(nameOrPath), suiteSchema);
}
