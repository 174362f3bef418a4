/**
 * Replay a context trace through the monitor, materialising each switch with an injected
 * `evolve` function, and account for what the device would have spent: the library behind
 * `adaspring adapt`.
 *
 * Accounting, per trace entry `i` (the interval from `t_i` to `t_{i+1}`; the last entry lasts
 * `tailS`, default 0):
 *
 * - the configuration active after the step at `t_i` serves the whole interval;
 * - **energy** = predicted energy per inference x `inferencesPerSecond` x interval (mJ): the
 *   app's inference rate, not the device's, is what the workload sets;
 * - **switch latency** = the time `evolve` took, read from the injected clock (tests pass a fake
 *   clock that their `evolve` advances, so the figure is exact and machine-independent);
 * - **violations** = the constraints the active configuration breaks under the entry's state.
 *
 * @module
 */
import type { TraceEntry } from "../config/context.ts";
import type { SubnetConfig } from "../supernet/space.ts";
import type { Metrics, Violation } from "../search/types.ts";
import type { Clock } from "../search/budget.ts";
import { systemClock } from "../search/budget.ts";
import type { ContextMonitor, SwitchReason } from "./monitor.ts";

/** Materialises a configuration (e.g. derives and loads the subnet); its duration is measured. */
export type Evolve = (
  from: SubnetConfig | null,
  to: SubnetConfig,
  toId: string,
) => void | Promise<void>;

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Inferences the app runs per second (default 1). */
  readonly inferencesPerSecond?: number;
  /** Called on every switch; default: nothing to materialise. */
  readonly evolve?: Evolve;
  /** Milliseconds clock used to time `evolve` (default `performance.now`). */
  readonly clock?: Clock;
  /** Seconds the last state lasts (default 0). */
  readonly tailS?: number;
}

/** One row of the timeline. */
export interface TimelineEntry {
  readonly t: number;
  readonly state: TraceEntry;
  readonly id: string;
  readonly metrics: Metrics;
  readonly effectiveLatencyMs: number;
  readonly objective: number;
  readonly researched: boolean;
  readonly reason: string;
  readonly switched: boolean;
  readonly switchReason: SwitchReason | null;
  /** Time `evolve` took at this step, ms (0 without a switch). */
  readonly switchLatencyMs: number;
  /** Search time at this step, microseconds (0 without a search). */
  readonly searchUs: number;
  readonly intervalS: number;
  /** Energy spent on inference over the interval, mJ. */
  readonly energyMj: number;
  readonly violations: readonly Violation[];
}

/** A replayed trace and its totals. */
export interface Timeline {
  readonly entries: readonly TimelineEntry[];
  readonly totals: {
    readonly switches: number;
    readonly searches: number;
    readonly energyMj: number;
    readonly switchLatencyMs: number;
    /** Seconds during which the active configuration broke a constraint. */
    readonly violationS: number;
    readonly durationS: number;
  };
}

/**
 * Replay `trace` through `monitor`.
 *
 * @example
 * ```ts
 * import { createSearchSpace } from "../supernet/mod.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { syntheticPredictor } from "../search/synthetic.ts";
 * import { energyRangeOf } from "../search/objective.ts";
 * import { createAdapter } from "./adapter.ts";
 * import { ContextMonitor } from "./monitor.ts";
 * import { replay } from "./replay.ts";
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const p = syntheticPredictor(space, 0);
 * const monitor = new ContextMonitor(createAdapter(space, p, energyRangeOf(space, p)));
 * const s = { batteryPct: 90, freeStorageMb: 1, cpuShare: 0.1, latencyMs: 4, minAccuracy: 0 };
 * const tl = await replay([{ t: 0, ...s }, { t: 60, ...s, batteryPct: 10 }], monitor);
 * console.log(tl.totals);
 * ```
 */
export async function replay(
  trace: readonly TraceEntry[],
  monitor: ContextMonitor,
  opts: ReplayOptions = {},
): Promise<Timeline> {
  const rate = opts.inferencesPerSecond ?? 1;
  const clock = opts.clock ?? systemClock;
  const tail = opts.tailS ?? 0;
  const entries: TimelineEntry[] = [];
  let previous: SubnetConfig | null = null;
  for (let i = 0; i < trace.length; i++) {
    const entry = trace[i];
    const { t, ...state } = entry;
    const step = monitor.step(t, state);
    let switchLatencyMs = 0;
    if (step.switched) {
      const before = clock();
      await opts.evolve?.(previous, step.config, step.id);
      switchLatencyMs = clock() - before;
    }
    previous = step.config;
    const intervalS = i + 1 < trace.length ? trace[i + 1].t - t : tail;
    const a = step.assessment;
    entries.push({
      t,
      state: entry,
      id: step.id,
      metrics: a.metrics,
      effectiveLatencyMs: a.effectiveLatencyMs,
      objective: a.objective,
      researched: step.researched,
      reason: step.reason,
      switched: step.switched,
      switchReason: step.switchReason,
      switchLatencyMs,
      searchUs: step.candidate?.elapsedUs ?? 0,
      intervalS,
      energyMj: a.metrics.energyMj * rate * intervalS,
      violations: a.violations,
    });
  }
  const sum = (f: (e: TimelineEntry) => number) => entries.reduce((s, e) => s + f(e), 0);
  return {
    entries,
    totals: {
      switches: sum((e) => e.switched ? 1 : 0),
      searches: sum((e) => e.researched ? 1 : 0),
      energyMj: sum((e) => e.energyMj),
      switchLatencyMs: sum((e) => e.switchLatencyMs),
      violationS: sum((e) => e.violations.length > 0 ? e.intervalS : 0),
      durationS: sum((e) => e.intervalS),
    },
  };
}
