/**
 * Task configs (`configs/tasks/*.yaml`): the dataset, the backbone, the compression operator
 * pool, and the training hyper-parameters of one sensing task.
 *
 * A bare name (`mnist`) resolves to `configs/tasks/mnist.yaml`; anything with a `/` or a
 * `.yaml` suffix is a path.
 *
 * @module
 */
import { z } from "zod";
import { badInput } from "../errors.ts";
import { datasetSchema } from "./dataset.ts";
import { fraction, identifier, nonNegative, positive, positiveInt } from "./fields.ts";
import { loadConfigFile, type LoadedConfig } from "./source.ts";
import { displayPath, repoPath } from "../util/paths.ts";

/** One backbone block: a k x k (or k, for 1-D) convolution, BN, ReLU. */
export const blockSchema = z.strictObject({
  channels: positiveInt().describe("output channels at full width"),
  kernel: positiveInt().default(3).describe("kernel size (k x k in 2-D, k in 1-D)"),
  stride: positiveInt().default(1),
  optional: z.boolean().default(false).describe(
    "may be skipped by depth scaling; needs stride 1 and the same channels as its input " +
      "(it is residual)",
  ),
});

/** The backbone: a stem conv, blocks, global average pooling, a linear classifier. */
export const modelSchema = z.strictObject({
  kind: z.enum(["conv2d", "conv1d"]).describe("2-D for images/spectrograms, 1-D for signals"),
  stem: z.strictObject({
    channels: positiveInt(),
    kernel: positiveInt().default(3),
    stride: positiveInt().default(1),
  }),
  blocks: z.array(blockSchema).min(1, { error: "expected at least one block" }),
  dropout: fraction().default(0),
});

/** The compression operator pool Δ (see DESIGN.md section 3). */
export const operatorsSchema = z.strictObject({
  width: z.array(fraction().refine((w) => w > 0, { error: "expected a width in (0, 1]" }))
    .min(1).default([1, 0.75, 0.5, 0.25])
    .describe("width multipliers: keep the first k channels"),
  depth: z.boolean().default(true).describe("allow skipping optional blocks"),
  depthwise: z.boolean().default(true).describe("depthwise-separable decomposition"),
  fire: z.union([
    z.literal(false),
    z.strictObject({ squeeze: fraction().default(0.25) }),
  ]).default({ squeeze: 0.25 }).describe("fire module (squeeze 1x1, expand 1x1 + 3x3)"),
  lowRank: z.union([
    z.literal(false),
    z.strictObject({ ranks: z.array(fraction()).min(1).default([0.5, 0.25]) }),
  ]).default({ ranks: [0.5, 0.25] }).describe("low-rank factorisation ranks (fraction of full)"),
  int8: z.boolean().default(true).describe("int8 weight quantization at export"),
});

/** Training hyper-parameters. */
export const trainingSchema = z.strictObject({
  epochs: positiveInt().default(10),
  batchSize: positiveInt().default(64),
  optimizer: z.enum(["sgd", "adam"]).default("sgd"),
  lr: positive().default(0.05),
  momentum: fraction().default(0.9),
  weightDecay: nonNegative().default(5e-4),
  schedule: z.enum(["cosine", "step", "constant"]).default("cosine"),
  warmupEpochs: nonNegative().default(0),
  labelSmoothing: fraction().default(0),
});

/** A whole task file. */
export const taskSchema = z.strictObject({
  name: identifier(),
  description: z.string().default(""),
  modality: z.enum(["image", "motion", "audio", "environment"]),
  seed: z.int().default(0).describe("default seed when --seed is not given"),
  dataset: datasetSchema,
  model: modelSchema,
  operators: operatorsSchema.default(operatorsSchema.parse({})),
  training: trainingSchema.default(trainingSchema.parse({})),
}).superRefine((task, ctx) => {
  // An optional (skippable, residual) block must keep the shape of its input.
  let prev = task.model.stem.channels;
  task.model.blocks.forEach((b, i) => {
    if (b.optional && (b.stride !== 1 || b.channels !== prev)) {
      ctx.addIssue({
        code: "custom",
        path: ["model", "blocks", i, "optional"],
        message: `an optional block must have stride 1 and the same channels as its input ` +
          `(${prev}); got stride ${b.stride}, channels ${b.channels}`,
      });
    }
    prev = b.channels;
  });
});

/** A validated task config, defaults applied. */
export type TaskConfig = z.output<typeof taskSchema>;

/** True when `nameOrPath` is a path (has a `/` or a YAML suffix), not a bare task name. */
export function isPath(nameOrPath: string): boolean {
  return nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath);
}

/**
 * Resolve a task name or path to a file path: a bare name is a shipped task under the
 * repository's `configs/tasks/`, whatever the current directory.
 */
export function taskPath(nameOrPath: string): string {
  if (isPath(nameOrPath)) return nameOrPath;
  return displayPath(repoPath("configs", "tasks", `${nameOrPath}.yaml`));
}

/** The task names shipped in the repository's `configs/tasks/`. */
export function listTasks(): string[] {
  try {
    return [...Deno.readDirSync(repoPath("configs", "tasks"))].filter((e) =>
      e.isFile && e.name.endsWith(".yaml")
    )
      .map((e) => e.name.replace(/\.yaml$/, "")).sort();
  } catch {
    return [];
  }
}

/**
 * Load and validate a task by name or path.
 *
 * @example
 * ```ts
 * import { loadTaskConfig } from "./task.ts";
 * const { config } = await loadTaskConfig("mnist");
 * console.assert(config.name === "mnist");
 * ```
 */
export async function loadTaskConfig(nameOrPath: string): Promise<LoadedConfig<TaskConfig>> {
  const path = taskPath(nameOrPath);
  try {
    await Deno.stat(path);
  } catch {
    if (!isPath(nameOrPath)) {
      const known = listTasks();
      throw badInput(
        `unknown task "${nameOrPath}": ${path} does not exist. Known tasks: ` +
          `${known.length ? known.join(", ") : "(none found; run from the repository root)"}; ` +
          `or pass a path to a task YAML.`,
      );
    }
  }
  const loaded = await loadConfigFile(path, taskSchema);
  const stem = path.split("/").pop()!.replace(/\.ya?ml$/, "");
  if (!isPath(nameOrPath) && loaded.config.name !== stem) {
    throw badInput(
      `${path}: name "${loaded.config.name}" does not match the file name "${stem}"; ` +
        `rename one so they agree.`,
    );
  }
  return loaded;
}
