/** Shared helpers for the supernet tests: tiny hand-built spaces and the shipped tasks. */
import type { z } from "zod";
import { listTasks, loadTaskConfig, modelSchema, operatorsSchema } from "../../lib/config/task.ts";
import { createSearchSpace, type SearchSpace } from "../../lib/supernet/space.ts";
import type { CostInput } from "../../lib/supernet/cost.ts";

/** A space from a model and an operator pool written inline (schema defaults applied). */
export function tinySpace(
  model: z.input<typeof modelSchema>,
  operators: z.input<typeof operatorsSchema> = {},
): SearchSpace {
  return createSearchSpace({
    name: "tiny",
    model: modelSchema.parse(model),
    operators: operatorsSchema.parse(operators),
  });
}

/**
 * Representative input shapes of the shipped tasks (the real ones come from the datasets; the
 * space tests only need plausible ones of the right rank).
 */
const INPUTS: Record<string, CostInput> = {
  mnist: { inputShape: [1, 28, 28], numClasses: 10 },
  fashion: { inputShape: [1, 28, 28], numClasses: 10 },
  sound: { inputShape: [1, 40, 101], numClasses: 10 },
  har: { inputShape: [3, 128], numClasses: 6 },
  sensor: { inputShape: [2, 16], numClasses: 2 },
};

/** Every shipped task's space, with a representative input. */
export async function shippedSpaces(): Promise<
  { name: string; space: SearchSpace; input: CostInput }[]
> {
  const out = [];
  for (const name of listTasks()) {
    const { config } = await loadTaskConfig(name);
    const input = INPUTS[name] ??
      { inputShape: config.model.kind === "conv2d" ? [1, 32, 32] : [3, 64], numClasses: 4 };
    out.push({ name, space: createSearchSpace(config), input });
  }
  return out;
}
