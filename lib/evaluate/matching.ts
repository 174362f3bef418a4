/**
 * AdaSpring's answer to each hand-crafted baseline on each platform: the fastest configuration
 * of the platform's Pareto set whose *measured* test accuracy is at least the baseline's minus
 * the suite's tolerance ("matched or better accuracy").
 *
 * Candidates are the Pareto points not dominated in (predicted accuracy, predicted latency)
 * alone, sorted by latency, so predicted accuracy rises along the list. The predictor is used
 * only for that order, never for its values (a miscalibrated predictor must not decide a
 * match): a binary search on measured accuracy finds the first candidate reaching the target,
 * then the `recheck` faster neighbours are measured too (measured accuracy is only roughly
 * monotone along the list) and the fastest reaching the target wins. Every configuration is
 * measured at most once per task (the cache is shared), and at most `maxCandidates` per
 * platform; when none matches, the match is `null` with the reason, and the ratios of that
 * pair are not computed.
 *
 * @module
 */
import type { ParetoPoint } from "../search/pareto_lookup.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import type { SubnetConfig } from "../supernet/space.ts";
import type { EvolvedModel, SupernetModels } from "./measure.ts";

/** The answer to one target accuracy. */
export interface Match {
  readonly config: SubnetConfig;
  readonly model: EvolvedModel;
  /** Candidates whose accuracy was looked at for this target. */
  readonly tried: number;
}

/** Knobs of {@link findMatch}. */
export interface MatchKnobs {
  readonly tolerance: number;
  readonly maxCandidates: number;
  /** Faster neighbours of the binary search's answer also measured (default 2). */
  readonly recheck?: number;
}

/** Per-platform measuring budget shared by every target. */
export class MatchBudget {
  measured = 0;
  constructor(readonly max: number) {}
}

/** The Pareto points on the (predicted accuracy, latency) front, fastest first. */
export function accuracyLatencyFront(points: readonly ParetoPoint[]): ParetoPoint[] {
  const sorted = [...points].sort((a, b) =>
    a.metrics.latencyMs - b.metrics.latencyMs || b.metrics.accuracy - a.metrics.accuracy
  );
  const front: ParetoPoint[] = [];
  for (const p of sorted) {
    if (front.length === 0 || p.metrics.accuracy > front[front.length - 1].metrics.accuracy) {
      front.push(p);
    }
  }
  return front;
}

/** The fastest candidate reaching `target` measured accuracy, or why not. */
export async function findMatch(
  points: readonly ParetoPoint[],
  target: number,
  models: SupernetModels,
  knobs: MatchKnobs,
  budget: MatchBudget,
): Promise<Match | { readonly reason: string }> {
  const goal = target - knobs.tolerance;
  const front = accuracyLatencyFront(points);
  const looked = new Set<number>();
  let outOfBudget = false;
  const accuracy = async (i: number): Promise<number | null> => {
    if (models.known(front[i].config) === undefined) {
      if (budget.measured >= budget.max) {
        outOfBudget = true;
        return null;
      }
      budget.measured++;
    }
    looked.add(i);
    return (await models.get(front[i].config)).testAccuracy;
  };
  // Binary search for the first index whose measured accuracy reaches the goal.
  let lo = 0, hi = front.length; // answer in [lo, hi]; hi = none
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const a = await accuracy(mid);
    if (a === null) break;
    if (a >= goal) hi = mid;
    else lo = mid + 1;
  }
  let best = hi < front.length && !outOfBudget ? hi : -1;
  if (best < 0 && hi < front.length) {
    const a = await accuracy(hi);
    if (a !== null && a >= goal) best = hi;
  }
  if (best >= 0) {
    for (let i = best - 1; i >= Math.max(0, best - (knobs.recheck ?? 2)); i--) {
      const a = await accuracy(i);
      if (a !== null && a >= goal) best = i;
    }
    const model = await models.get(front[best].config);
    return { config: front[best].config, model, tried: looked.size };
  }
  return {
    reason: `no configuration of the ${front.length}-point accuracy-latency front reached ` +
      `${(100 * goal).toFixed(2)}% measured test accuracy (${looked.size} measured for this ` +
      `target${outOfBudget ? "; the measuring budget ran out" : ""})`,
  };
}

/** The id of a match's configuration, for reports. */
export function matchId(models: SupernetModels, m: Match): string {
  return formatConfigId(models.task.space, m.config);
}
