/**
 * The search space of the self-evolutionary network: building it from a task, configuration
 * ids, counting/enumerating/sampling, mutations, the extreme configurations, and static cost.
 *
 * @example
 * ```ts
 * import { createSearchSpace, formatConfigId, sampleConfig, subnetCost } from "./mod.ts";
 * import { createRng } from "../util/rng.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * const space = createSearchSpace((await loadTaskConfig("har")).config);
 * const config = sampleConfig(space, createRng(0));
 * const cost = subnetCost(space, config, { inputShape: [3, 128], numClasses: 6 });
 * console.log(formatConfigId(space, config), cost.macs);
 * ```
 *
 * @module
 */
export * from "./space.ts";
export * from "./arch.ts";
export * from "./config_id.ts";
export * from "./enumerate.ts";
export * from "./mutate.ts";
export * from "./extremes.ts";
export * from "./cost.ts";
