/**
 * Context configs (`configs/contexts/*.yaml`): the device's situation, as one snapshot or as a
 * trace of timestamped snapshots (DESIGN.md §6), plus the knobs of the context-to-constraint
 * mapping, of the monitor's hysteresis and of the replay workload. Every knob has a default, so a
 * context file only needs a name and its states.
 *
 * The meaning of each knob is documented where it is used: `lib/context/constraints.ts`
 * (mapping, objective), `lib/context/monitor.ts` (monitor), `lib/context/replay.ts` (workload).
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
  energyCurveExponent: positive().default(2).describe(
    "l2 = full + (empty - full) * (1 - battery)^exponent; 2 keeps l2 low until the battery " +
      "runs down",
  ),
});

/** How a state becomes constraints (see lib/context/constraints.ts). */
export const mappingSchema = z.strictObject({
  storageShare: fraction().refine((x) => x > 0, { error: "expected a share in (0, 1]" })
    .default(0.1).describe("share of the free storage the model may take"),
  maxCpuShare: fraction().refine((x) => x < 1, { error: "expected a share in [0, 1)" })
    .default(0.95).describe("cpuShare is clipped here before scaling latency by 1 / (1 - share)"),
});

/** Hysteresis of the context monitor (see lib/context/monitor.ts). */
export const monitorSchema = z.strictObject({
  batteryPct: nonNegative().default(5).describe("re-search when battery moves this many points"),
  freeStorageRel: nonNegative().default(0.2)
    .describe("re-search when free storage changes by this fraction"),
  cpuShare: nonNegative().default(0.1).describe("re-search when cpuShare moves this much"),
  latencyRel: nonNegative().default(0.1)
    .describe("re-search when the latency demand changes by this fraction"),
  minAccuracy: nonNegative().default(0.005).describe("re-search when the floor moves this much"),
  switchMargin: nonNegative().default(0.01)
    .describe("switch only when the new objective beats the current one by this much"),
  minDwellS: nonNegative().default(30)
    .describe("seconds to keep a configuration before a switch that no constraint forces"),
});

/** The replay workload (see lib/context/replay.ts). */
export const workloadSchema = z.strictObject({
  inferencesPerSecond: nonNegative().default(1),
});

/** A whole context file: exactly one of `snapshot` or `trace`. */
export const contextSchema = z.strictObject({
  name: identifier(),
  description: z.string().default(""),
  snapshot: contextStateSchema.optional(),
  trace: z.array(traceEntrySchema).min(1).optional(),
  objective: objectiveSchema.default(objectiveSchema.parse({})),
  mapping: mappingSchema.default(mappingSchema.parse({})),
  monitor: monitorSchema.default(monitorSchema.parse({})),
  workload: workloadSchema.default(workloadSchema.parse({})),
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

/** One observed state. */
export type ContextState = z.output<typeof contextStateSchema>;
/** One observed state with its time (seconds). */
export type TraceEntry = z.output<typeof traceEntrySchema>;
/** Objective weights as configured. */
export type ObjectiveConfig = z.output<typeof objectiveSchema>;
/** Context-to-constraint mapping knobs. */
export type MappingConfig = z.output<typeof mappingSchema>;
/** Monitor hysteresis knobs. */
export type MonitorConfig = z.output<typeof monitorSchema>;
/** Replay workload knobs. */
export type WorkloadConfig = z.output<typeof workloadSchema>;
/** A validated context config. */
export type ContextConfig = z.output<typeof contextSchema>;

/** Load and validate a context file. */
export async function loadContextConfig(path: string): Promise<LoadedConfig<ContextConfig>> {
  if (!/\.ya?ml$/.test(path)) throw badInput(`${path}: expected a .yaml context file`);
  return await loadConfigFile(path, contextSchema);
}

/** The states of a context file as a trace (a snapshot becomes one entry at t = 0). */
export function contextTrace(config: ContextConfig): TraceEntry[] {
  return config.trace ?? [{ t: 0, ...config.snapshot! }];
}
