/**
 * Context adaptation (DESIGN.md §6): map a device state to constraints and objective weights,
 * watch a stream of states with hysteresis, and replay traces into a timeline of choices,
 * switches, energy and violations.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { contextTrace, loadContextConfig } from "../config/context.ts";
 * import { energyRangeOf, syntheticPredictor } from "../search/mod.ts";
 * import { ContextMonitor, createAdapter, replay } from "./mod.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const p = syntheticPredictor(space, 0);
 * const { config } = await loadContextConfig("configs/contexts/battery-day.yaml");
 * const monitor = new ContextMonitor(createAdapter(space, p, energyRangeOf(space, p), config), config.monitor);
 * const timeline = await replay(contextTrace(config), monitor, config.workload);
 * console.log(timeline.totals);
 * ```
 *
 * @module
 */
export * from "./constraints.ts";
export * from "./adapter.ts";
export * from "./monitor.ts";
export * from "./replay.ts";
