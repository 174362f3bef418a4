/**
 * Platform configs (`configs/platforms/*.yaml`): what adaspring knows about a device, so that
 * latency and energy can be modeled off the device and labelled `modeled` (DESIGN.md §5).
 *
 * Every figure is `{ value, source }`: the source names the datasheet or publication, so that a
 * modeled result can be traced to its inputs. `host` (latency: measured) is the machine the
 * command runs on; its figures are measured, and only the power model needs a source.
 *
 * @module
 */
import { z } from "zod";
import { identifier, nonNegative, positive, sourcedNumber } from "./fields.ts";
import { loadConfigFile, type LoadedConfig } from "./source.ts";
import { displayPath, repoPath } from "../util/paths.ts";

/** Op kinds whose throughput a platform file states (GFLOP/s). */
export const OP_KINDS = ["conv", "depthwise", "pointwise", "gemm", "elementwise"] as const;

const powerSchema = z.strictObject({
  idleWatts: sourcedNumber(nonNegative()),
  activeWatts: sourcedNumber(positive()),
});

const cpuSchema = z.strictObject({
  model: z.string().min(1),
  cores: sourcedNumber(positive()),
  clockGhz: sourcedNumber(positive()),
  /** Vector width the inference runtime uses (128 for NEON and for WASM SIMD). */
  simdWidthBits: sourcedNumber(positive()),
  /**
   * Vector fused multiply-adds issued per cycle per core at `simdWidthBits`. Optional: with it
   * (and `threads`) the peak is known, so host-calibrated efficiencies can be transferred.
   */
  fmaPerCycle: sourcedNumber(positive()).optional(),
  /** Cores the runtime uses for one inference (defaults to `cores`). */
  threads: sourcedNumber(positive()).optional(),
});

/** A device whose latency is modeled from its figures. */
const modeledPlatform = z.strictObject({
  name: identifier(),
  description: z.string().default(""),
  latency: z.literal("modeled"),
  cpu: cpuSchema,
  throughputGflops: z.strictObject(
    Object.fromEntries(OP_KINDS.map((k) => [k, sourcedNumber(positive())])) as Record<
      typeof OP_KINDS[number],
      ReturnType<typeof sourcedNumber>
    >,
  ),
  memoryBandwidthGBs: sourcedNumber(positive()),
  overheadMs: sourcedNumber(nonNegative()),
  power: powerSchema,
});

/**
 * The machine running the command: latency is measured, power may be modeled. `cpu` (optional)
 * gives the peak the calibration divides by to turn measured throughputs into efficiencies.
 */
const measuredPlatform = z.strictObject({
  name: identifier(),
  description: z.string().default(""),
  latency: z.literal("measured"),
  cpu: cpuSchema.optional(),
  power: powerSchema,
});

/** A whole platform file. */
export const platformSchema = z.discriminatedUnion("latency", [modeledPlatform, measuredPlatform], {
  error: 'expected latency: "modeled" (figures below) or "measured" (this machine)',
});

/** A validated platform config. */
export type PlatformConfig = z.output<typeof platformSchema>;

/** A validated platform whose latency is modeled. */
export type ModeledPlatformConfig = Extract<PlatformConfig, { latency: "modeled" }>;

/** The CPU figures of a platform. */
export type CpuConfig = z.output<typeof cpuSchema>;

/**
 * Peak float32 throughput in GFLOP/s of the cores the runtime uses:
 * `threads x clockGhz x (simdWidthBits / 32) lanes x 2 (FMA) x fmaPerCycle`, or `null` when the
 * file does not state `fmaPerCycle`.
 *
 * @example
 * ```ts
 * import { peakGflops } from "./platform.ts";
 * const f = (value: number) => ({ value, source: "example" });
 * const cpu = { model: "A72", cores: f(4), clockGhz: f(1.5), simdWidthBits: f(128), fmaPerCycle: f(1) };
 * console.assert(peakGflops(cpu) === 48);
 * ```
 */
export function peakGflops(cpu: CpuConfig): number | null {
  if (cpu.fmaPerCycle === undefined) return null;
  const threads = cpu.threads?.value ?? cpu.cores.value;
  return threads * cpu.clockGhz.value * (cpu.simdWidthBits.value / 32) * 2 * cpu.fmaPerCycle.value;
}

/** Resolve a platform name or path to a file path. */
export function platformPath(nameOrPath: string): string {
  if (nameOrPath.includes("/") || /\.ya?ml$/.test(nameOrPath)) return nameOrPath;
  return displayPath(repoPath("configs", "platforms", `${nameOrPath}.yaml`));
}

/** Load and validate a platform by name or path. */
export function loadPlatformConfig(nameOrPath: string): Promise<LoadedConfig<PlatformConfig>> {
  return loadConfigFile(platformPath(nameOrPath), platformSchema);
}
