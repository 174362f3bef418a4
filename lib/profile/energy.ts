/**
 * Energy per inference and memory (DESIGN.md §5), always labelled with their provenance:
 *
 * - **measured here** from Linux powercap/RAPL (`/sys/class/powercap/<zone>/energy_uj`) when the
 *   machine exposes it: energy counter before and after a batch of inferences;
 * - **measured on a device** from a power-meter log the user supplies (CSV `timestamp,watts`,
 *   seconds and watts), integrated (trapezoid) over the inference window;
 * - otherwise **modeled** as active power x latency from the platform file, plus, when an
 *   inference period is given, idle power for the rest of the period.
 *
 * @module
 */
import { badInput } from "../errors.ts";
import type { PlatformConfig } from "../config/platform.ts";
import type { SubnetCost } from "../supernet/cost.ts";
import { type Figure, measuredHere, measuredOnDevice, modeled } from "../report/provenance.ts";

/** Where powercap lives on Linux. */
export const POWERCAP_ROOT = "/sys/class/powercap";

/** What {@link detectRapl} found. */
export interface RaplStatus {
  readonly available: boolean;
  /** Readable zone directories with an `energy_uj` counter (e.g. `.../intel-rapl:0`). */
  readonly zones: readonly string[];
  /** Why not, when not available (shown to the user). */
  readonly reason: string;
}

/**
 * Look for readable RAPL energy counters under `root`.
 *
 * @example
 * ```ts
 * import { detectRapl } from "./energy.ts";
 * const status = await detectRapl("/nonexistent");
 * console.assert(!status.available && status.reason.includes("/nonexistent"));
 * ```
 */
export async function detectRapl(root = POWERCAP_ROOT): Promise<RaplStatus> {
  let names: string[];
  try {
    names = [];
    for await (const e of Deno.readDir(root)) names.push(e.name);
  } catch {
    return {
      available: false,
      zones: [],
      reason: `${root} does not exist or is not readable: no RAPL/powercap on this machine ` +
        `(typical in VMs); energy is modeled from the platform file`,
    };
  }
  const zones: string[] = [];
  // Top-level package zones only (`intel-rapl:0`, not `intel-rapl:0:0`), so nothing is counted twice.
  for (const name of names.filter((n) => /^[a-z-]+:\d+$/.test(n)).sort()) {
    try {
      await Deno.readTextFile(`${root}/${name}/energy_uj`);
      zones.push(`${root}/${name}`);
    } catch {
      // Present but unreadable (needs root since the PLATYPUS mitigations): skip it.
    }
  }
  return zones.length > 0 ? { available: true, zones, reason: "" } : {
    available: false,
    zones: [],
    reason: `${root} has no readable package energy counters (energy_uj needs root on most ` +
      `kernels); energy is modeled from the platform file`,
  };
}

async function readMicrojoules(zone: string): Promise<number> {
  return Number((await Deno.readTextFile(`${zone}/energy_uj`)).trim());
}

/**
 * Energy per inference from RAPL: read every zone's counter, run `inferences` inferences, read
 * again (counter wrap-around handled with `max_energy_range_uj`).
 */
export async function measureRaplEnergy(
  zones: readonly string[],
  run: () => Promise<void>,
  inferences: number,
): Promise<Figure> {
  const before = await Promise.all(zones.map(readMicrojoules));
  for (let i = 0; i < inferences; i++) await run();
  const after = await Promise.all(zones.map(readMicrojoules));
  let uj = 0;
  for (const [i, zone] of zones.entries()) {
    let d = after[i] - before[i];
    if (d < 0) d += Number((await Deno.readTextFile(`${zone}/max_energy_range_uj`)).trim());
    uj += d;
  }
  return measuredHere(uj / 1000 / inferences, "mJ", `RAPL ${zones.join(", ")}`);
}

/** One power-meter reading. */
export interface PowerSample {
  /** Seconds. */
  readonly t: number;
  readonly watts: number;
}

/**
 * Parse a power-meter log: CSV lines `timestamp,watts` (seconds, watts), an optional header line,
 * blank lines and `#` comments ignored, timestamps strictly increasing. Errors name `path:line`.
 *
 * @example
 * ```ts
 * import { parsePowerLog } from "./energy.ts";
 * const s = parsePowerLog("timestamp,watts\n0,2\n1,4\n", "meter.csv");
 * console.assert(s.length === 2 && s[1].watts === 4);
 * ```
 */
export function parsePowerLog(text: string, path: string): PowerSample[] {
  const out: PowerSample[] = [];
  let firstContent = true;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const cells = line.split(",").map((c) => c.trim());
    const isHeader = firstContent && cells.some((c) => c === "" || Number.isNaN(Number(c)));
    firstContent = false;
    if (isHeader) return;
    const where = `${path}:${i + 1}`;
    if (cells.length !== 2) {
      throw badInput(
        `${where}: expected 2 comma-separated values "timestamp,watts", got ${cells.length}; ` +
          `export the meter log as seconds,watts.`,
      );
    }
    const [t, watts] = cells.map(Number);
    if (!Number.isFinite(t) || !Number.isFinite(watts) || watts < 0) {
      throw badInput(
        `${where}: expected a timestamp in seconds and watts >= 0, got "${line}".`,
      );
    }
    if (out.length > 0 && t <= out[out.length - 1].t) {
      throw badInput(
        `${where}: timestamp ${t} is not after the previous one (${out[out.length - 1].t}); ` +
          `the log must be sorted by time without duplicates.`,
      );
    }
    out.push({ t, watts });
  });
  if (out.length < 2) {
    throw badInput(`${path}: expected at least 2 readings "timestamp,watts", found ${out.length}.`);
  }
  return out;
}

function wattsAt(s: readonly PowerSample[], t: number): number {
  let i = 1;
  while (i < s.length - 1 && s[i].t < t) i++;
  const a = s[i - 1], b = s[i];
  return a.watts + (b.watts - a.watts) * (t - a.t) / (b.t - a.t);
}

/**
 * Energy in joules between `start` and `end` (seconds): trapezoid rule over the readings, the
 * window's ends interpolated linearly. The window must lie within the log.
 */
export function integrateEnergy(
  samples: readonly PowerSample[],
  start: number,
  end: number,
): number {
  const first = samples[0].t, lastT = samples[samples.length - 1].t;
  if (!(start >= first && end <= lastT && end > start)) {
    throw badInput(
      `the inference window [${start}, ${end}] s is not inside the power log's span ` +
        `[${first}, ${lastT}] s; record the meter over the whole run.`,
    );
  }
  const pts: PowerSample[] = [{ t: start, watts: wattsAt(samples, start) }];
  for (const s of samples) if (s.t > start && s.t < end) pts.push(s);
  pts.push({ t: end, watts: wattsAt(samples, end) });
  let j = 0;
  for (let i = 1; i < pts.length; i++) {
    j += (pts[i].t - pts[i - 1].t) * (pts[i].watts + pts[i - 1].watts) / 2;
  }
  return j;
}

/** Energy per inference (mJ) from a power-meter log over the window of `inferences` runs. */
export function energyFromPowerLog(
  samples: readonly PowerSample[],
  window: { start: number; end: number },
  inferences: number,
  logPath: string,
): Figure {
  const joules = integrateEnergy(samples, window.start, window.end);
  return measuredOnDevice(1000 * joules / inferences, "mJ", `power-meter log ${logPath}`);
}

/**
 * Modeled energy per inference (mJ): `activeWatts x latency`, plus `idleWatts x (period -
 * latency)` when an inference period (ms) is given (e.g. one inference per sensing window).
 *
 * @example
 * ```ts
 * import { modeledEnergy } from "./energy.ts";
 * const power = { idleWatts: { value: 1, source: "x" }, activeWatts: { value: 5, source: "y" } };
 * const e = modeledEnergy(10, power, "configs/platforms/pi4.yaml");
 * console.assert(e.value === 50 && e.provenance === "modeled");
 * ```
 */
export function modeledEnergy(
  latencyMs: number,
  power: PlatformConfig["power"],
  platformPath: string,
  periodMs?: number,
): Figure {
  const active = power.activeWatts.value * latencyMs;
  if (periodMs === undefined) {
    return modeled(active, "mJ", `${platformPath}: activeWatts x latency`);
  }
  const idle = power.idleWatts.value * Math.max(0, periodMs - latencyMs);
  return modeled(
    active + idle,
    "mJ",
    `${platformPath}: activeWatts x latency + idleWatts x (period ${periodMs} ms - latency)`,
  );
}

/** Memory figures of a configuration from its static cost. */
export interface MemoryFigures {
  readonly weightBytesFloat32: Figure;
  readonly weightBytesInt8: Figure;
  /** As exported (int8 when the configuration says so). */
  readonly weightBytes: Figure;
  readonly peakActivationBytes: Figure;
  /** Weights as exported + peak activations. */
  readonly totalBytes: Figure;
}

/** Memory of a configuration: weight bytes (float32 / int8) and peak activation bytes. */
export function memoryFigures(cost: SubnetCost): MemoryFigures {
  const src = "static count from shapes (lib/supernet/cost.ts)";
  return {
    weightBytesFloat32: modeled(cost.weightBytesFloat32, "B", src),
    weightBytesInt8: modeled(cost.weightBytesInt8, "B", src),
    weightBytes: modeled(cost.weightBytes, "B", src),
    peakActivationBytes: modeled(cost.peakActivationBytes, "B", src),
    totalBytes: modeled(cost.weightBytes + cost.peakActivationBytes, "B", src),
  };
}
