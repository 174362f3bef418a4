/**
 * Context configs (`configs/contexts/*.yaml`): the device's situation, as one snapshot or as a
 * trace of timestamped snapshots (DESIGN.md §6). The mapping from a context to constraints and
 * objective weights lives with the search; this module only validates the files.
 *
 * @module
 */
import { z } from "zod";
import { badInput } from "../errors.ts";
import { fraction, identifier, nonNegative, positive } from "./fields.ts";
import { loadConfigFile, type LoadedConfig } from "./source.ts";

/** One observation of the device's situation. */
export const contextStateSchema = z.strictObject({
  batteryPct: z.number().min(0, { error: "expected a percentage in [0, 100]" })
    .max(100, { error: "expected a percentage in [0, 100]" }),
  freeStorageMb: nonNegative(),
  cpuShare: fraction().describe("share of the CPU taken by other apps"),
  latencyMs: positive().describe("the app's latency demand per inference"),
  minAccuracy: fraction().default(0).describe("accuracy floor"),
});

/** A state at time `t` (seconds since the trace start). */
export const traceEntrySchema = contextStateSchema.extend({ t: nonNegative() });

/** Objective weights: maximize l1 * accuracy + l2 * energy efficiency, l2 rising as battery falls. */
export const objectiveSchema = z.strictObject({
  accuracyWeight: nonNegative().default(1),
  energyWeightFull: nonNegative().default(0.1).describe("l2 at 100% battery"),
  energyWeightEmpty: nonNegative().default(1).describe("l2 at 0% battery"),
});

/** A whole context file: exactly one of `snapshot` or `trace`. */
export const contextSchema = z.strictObject({
  name: identifier(),
  description: z.string().default(""),
  snapshot: contextStateSchema.optional(),
  trace: z.array(traceEntrySchema).min(1).optional(),
  objective: objectiveSchema.default(objectiveSchema.parse({})),
}).superRefine((c, ctx) => {
  if ((c.snapshot === undefined) === (c.trace === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: "expected exactly one of `snapshot` (one state) or `trace` (timestamped states)",
    });
  }
  c.trace?.forEach((e, i) => {
    if (i > 0 && e.t <= c.trace![i - 1].t) {
      ctx.addIssue({
        code: "custom",
        path: ["trace", i, "t"],
        message: `expected times to increase; ${e.t} follows ${c.trace![i - 1].t}`,
      });
    }
  });
});

/** A validated context config. */
export type ContextConfig = z.output<typeof contextSchema>;

/** Load and validate a context file. */
export async function loadContextConfig(path: string): Promise<LoadedConfig<ContextConfig>> {
  if (!/\.ya?ml$/.test(path)) throw badInput(`${path}: expected a .yaml context file`);
  return await loadConfigFile(path, contextSchema);
}
