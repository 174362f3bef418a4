/**
 * The context monitor: decides, at each observed state, whether to search again and whether to
 * switch configuration, with hysteresis so that a context hovering around a threshold does not
 * make the model thrash. Knobs (the `monitor:` section of a context file, defaults in
 * lib/config/context.ts):
 *
 * - **Re-search on a significant change** of any signal since the state last searched:
 *   battery by `batteryPct` points (default 5), free storage by the fraction `freeStorageRel`
 *   (0.2), CPU share by `cpuShare` (0.1), latency demand by the fraction `latencyRel` (0.1),
 *   accuracy floor by `minAccuracy` (0.005). Smaller drifts keep the last answer. A threshold of
 *   0 reacts to any change. The current configuration is also re-assessed at every state, and a
 *   broken constraint triggers a search whatever the thresholds say.
 * - **Switch** to the new answer only when the current configuration breaks a constraint (then
 *   at once, to anything that breaks less), or when the answer's objective beats the current
 *   one's by `switchMargin` (0.01) *and* the current one has been in place for `minDwellS`
 *   seconds (30). An answer held back by the dwell time is kept pending and switched to once the
 *   dwell has passed, if it still wins by the margin.
 *
 * @module
 */
import type { ContextState, MonitorConfig } from "../config/context.ts";
import { monitorSchema } from "../config/context.ts";
import type { SubnetConfig } from "../supernet/space.ts";
import type { SearchResult } from "../search/types.ts";
import type { Adapter, Assessment } from "./adapter.ts";

/** The default hysteresis (the schema defaults). */
export const DEFAULT_MONITOR: MonitorConfig = monitorSchema.parse({});

/** Why the active configuration changed. */
export type SwitchReason = "initial" | "violation" | "better";

/** The monitor's decision at one state. */
export interface MonitorStep {
  readonly t: number;
  readonly state: ContextState;
  /** Whether a search ran at this state, and why (or why not). */
  readonly researched: boolean;
  readonly reason: string;
  /** The search's answer, when one ran. */
  readonly candidate: SearchResult | null;
  /** Whether the active configuration changed at this state. */
  readonly switched: boolean;
  readonly switchReason: SwitchReason | null;
  /** The active configuration after this step, assessed under this state. */
  readonly config: SubnetConfig;
  readonly id: string;
  readonly assessment: Assessment;
}

/**
 * Which signals changed significantly from `ref` to `state` (empty when none).
 *
 * @example
 * ```ts
 * import { DEFAULT_MONITOR, significantChanges } from "./monitor.ts";
 * const a = { batteryPct: 50, freeStorageMb: 100, cpuShare: 0.2, latencyMs: 20, minAccuracy: 0 };
 * console.assert(significantChanges(a, { ...a, batteryPct: 48 }, DEFAULT_MONITOR).length === 0);
 * console.assert(significantChanges(a, { ...a, latencyMs: 25 }, DEFAULT_MONITOR)[0] === "latencyMs");
 * ```
 */
export function significantChanges(
  ref: ContextState,
  state: ContextState,
  config: MonitorConfig,
): (keyof ContextState)[] {
  const out: (keyof ContextState)[] = [];
  // A change counts when it is nonzero and reaches its threshold (so 0 means "any change").
  const beyond = (delta: number, threshold: number) => delta > 0 && delta >= threshold;
  const rel = (a: number, b: number) => Math.abs(b - a) / Math.max(Math.abs(a), 1e-9);
  if (beyond(Math.abs(state.batteryPct - ref.batteryPct), config.batteryPct)) {
    out.push("batteryPct");
  }
  if (beyond(rel(ref.freeStorageMb, state.freeStorageMb), config.freeStorageRel)) {
    out.push("freeStorageMb");
  }
  if (beyond(Math.abs(state.cpuShare - ref.cpuShare), config.cpuShare)) out.push("cpuShare");
  if (beyond(rel(ref.latencyMs, state.latencyMs), config.latencyRel)) out.push("latencyMs");
  if (beyond(Math.abs(state.minAccuracy - ref.minAccuracy), config.minAccuracy)) {
    out.push("minAccuracy");
  }
  return out;
}

/** The monitor's memory between states. */
interface Active {
  config: SubnetConfig;
  id: string;
  since: number;
}

/** A context monitor with hysteresis; see the module doc. */
export class ContextMonitor {
  readonly config: MonitorConfig;
  #active: Active | null = null;
  #searchedState: ContextState | null = null;
  #pending: SearchResult | null = null;
  /** Searches run so far. */
  searches = 0;
  /** Switches so far (the initial choice included). */
  switches = 0;

  constructor(readonly adapter: Adapter, config: Partial<MonitorConfig> = {}) {
    this.config = { ...DEFAULT_MONITOR, ...config };
  }

  /** Observe the state at time `t` (seconds, increasing) and decide. */
  step(t: number, state: ContextState): MonitorStep {
    const active = this.#active;
    if (active === null) {
      const candidate = this.#search(state);
      this.#activate(candidate, t);
      return this.#result(t, state, true, "first state", candidate, "initial");
    }
    const current = this.adapter.assess(active.config, state);
    const changed = significantChanges(this.#searchedState!, state, this.config);
    const sameState = sameContext(this.#searchedState!, state);
    let candidate: SearchResult | null = null;
    let reason: string;
    if (changed.length > 0) {
      reason = `significant change: ${changed.join(", ")}`;
      candidate = this.#search(state);
    } else if (!current.feasible && !sameState) {
      reason = `current configuration breaks ${
        current.violations.map((v) => v.constraint).join(", ")
      }`;
      candidate = this.#search(state);
    } else {
      reason = "no significant change";
      candidate = null;
    }
    if (candidate !== null) this.#pending = candidate.id === active.id ? null : candidate;
    const pending = this.#pending;
    if (pending === null) return this.#result(t, state, candidate !== null, reason, candidate);
    // Assessed under this state: a pending answer may come from an earlier one.
    const next = this.adapter.assess(pending.config, state);
    if (!current.feasible) {
      if (next.feasible || next.violation < current.violation) {
        this.#activate(pending, t);
        return this.#result(t, state, candidate !== null, reason, candidate, "violation");
      }
    } else if (
      next.feasible && next.objective > current.objective + this.config.switchMargin &&
      t - active.since >= this.config.minDwellS
    ) {
      this.#activate(pending, t);
      return this.#result(t, state, candidate !== null, reason, candidate, "better");
    }
    return this.#result(t, state, candidate !== null, reason, candidate);
  }

  #search(state: ContextState): SearchResult {
    this.searches++;
    this.#searchedState = state;
    return this.adapter.search(state);
  }

  #activate(result: SearchResult, t: number): void {
    this.#active = { config: result.config, id: result.id, since: t };
    this.#pending = null;
    this.switches++;
  }

  #result(
    t: number,
    state: ContextState,
    researched: boolean,
    reason: string,
    candidate: SearchResult | null,
    switchReason: SwitchReason | null = null,
  ): MonitorStep {
    const active = this.#active!;
    return {
      t,
      state,
      researched,
      reason,
      candidate,
      switched: switchReason !== null,
      switchReason,
      config: active.config,
      id: active.id,
      assessment: this.adapter.assess(active.config, state),
    };
  }
}

function sameContext(a: ContextState, b: ContextState): boolean {
  return a.batteryPct === b.batteryPct && a.freeStorageMb === b.freeStorageMb &&
    a.cpuShare === b.cpuShare && a.latencyMs === b.latencyMs && a.minAccuracy === b.minAccuracy;
}
