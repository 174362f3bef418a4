/**
 * The dynamic-context case study: a context trace replayed with AdaSpring's adaptive selection
 * (context monitor with hysteresis + Pareto lookup, `lib/context`) against every static model.
 * Every model is accounted the same way per trace entry: its latency and energy per inference
 * from the platform's predictor (all models are configurations of the space, so one predictor
 * serves them all; modeled), its accuracy as *measured* on the test split, constraints from the
 * entry's state (`mapContext`). Energy = energy per inference x the trace's inference rate x
 * the interval; accuracy delivered = the time-weighted mean accuracy; violation time = seconds
 * during which the active model broke a constraint.
 *
 * @module
 */
import { type ContextConfig, contextTrace } from "../config/context.ts";
import { createAdapter } from "../context/adapter.ts";
import { mapContext } from "../context/constraints.ts";
import { ContextMonitor } from "../context/monitor.ts";
import { replay } from "../context/replay.ts";
import { violations } from "../search/objective.ts";
import type { ProfilePredictor } from "../search/profile_predictor.ts";
import { parseConfigId } from "../supernet/config_id.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";

/** One model's account of one trace. */
export interface TraceAccount {
  readonly model: string;
  readonly adaptive: boolean;
  readonly energyMj: number;
  readonly accuracy: number;
  readonly violationS: number;
  readonly switches: number;
  readonly durationS: number;
  /** Per entry: t, model id, accuracy, latency under load, violated constraints. */
  readonly timeline: readonly {
    t: number;
    id: string;
    accuracy: number;
    latencyMs: number;
    violations: string[];
  }[];
}

/** A static model of the study: a configuration and its measured accuracy. */
export interface StaticModel {
  readonly name: string;
  readonly config: SubnetConfig;
  readonly id: string;
  readonly accuracy: number;
}

/** Replay `trace` adaptively and statically; `accuracyOf` measures chosen configurations. */
export async function caseStudy(
  space: SearchSpace,
  predictor: ProfilePredictor,
  energyRange: { minMj: number; maxMj: number },
  trace: ContextConfig,
  statics: readonly StaticModel[],
  accuracyOf: (config: SubnetConfig) => Promise<number>,
  seed: number,
): Promise<TraceAccount[]> {
  const entries = contextTrace(trace);
  const rate = trace.workload.inferencesPerSecond;
  const adapter = createAdapter(space, predictor, energyRange, trace, {
    pareto: predictor.pareto,
    seed,
  });
  const tl = await replay(entries, new ContextMonitor(adapter, trace.monitor), {
    inferencesPerSecond: rate,
  });
  const chosen = new Map<string, SubnetConfig>();
  for (const e of tl.entries) chosen.set(e.id, parseConfigId(space, e.id));
  const acc = new Map<string, number>();
  for (const [id, c] of chosen) acc.set(id, await accuracyOf(c));
  const account = (
    model: string,
    adaptive: boolean,
    at: (i: number) => { id: string; config: SubnetConfig; accuracy: number },
    switches: number,
  ): TraceAccount => {
    let energy = 0, accTime = 0, violationS = 0, duration = 0;
    const timeline = entries.map((e, i) => {
      const { t, ...state } = e;
      const interval = i + 1 < entries.length ? entries[i + 1].t - t : 0;
      const m = at(i);
      const p = predictor.predict(m.config);
      const { constraints } = mapContext(state, energyRange, trace);
      const v = violations(constraints, m.accuracy, p.latencyMs, p.bytes);
      energy += p.energyMj * rate * interval;
      accTime += m.accuracy * interval;
      if (v.length > 0) violationS += interval;
      duration += interval;
      return {
        t,
        id: m.id,
        accuracy: m.accuracy,
        latencyMs: p.latencyMs * constraints.latencyScale,
        violations: v.map((x) => x.constraint),
      };
    });
    return {
      model,
      adaptive,
      energyMj: energy,
      accuracy: duration > 0 ? accTime / duration : timeline[0]?.accuracy ?? 0,
      violationS,
      switches,
      durationS: duration,
      timeline,
    };
  };
  const out = [
    account("adaspring (adaptive)", true, (i) => {
      const id = tl.entries[i].id;
      return { id, config: chosen.get(id)!, accuracy: acc.get(id)! };
    }, tl.totals.switches),
  ];
  for (const s of statics) {
    out.push(
      account(s.name, false, () => ({ id: s.id, config: s.config, accuracy: s.accuracy }), 0),
    );
  }
  return out;
}
