/**
 * AdaSpring's answer to each hand-crafted baseline on each platform: the fastest configuration
 * of the platform's Pareto set whose *measured* test accuracy is at least the baseline's minus
 * the suite's tolerance ("matched or better accuracy"). Candidates are tried fastest first by
 * the platform's predicted latency; one whose predicted accuracy is more than `margin` below
 * the target is skipped without measuring (the predictor only orders the work), and at most
 * `maxCandidates` configurations are measured per platform. When none matches, the match is
 * `null` with the reason, and the ratios of that pair are not computed.
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
  /** Pareto configurations whose accuracy was looked at (measured now or before). */
  readonly tried: number;
}

/** Knobs of {@link findMatch}. */
export interface MatchKnobs {
  readonly tolerance: number;
  readonly maxCandidates: number;
  /** Skip candidates predicted this far below the target (default 0.03). */
  readonly margin?: number;
}

/** Per-platform measuring budget shared by every target. */
export class MatchBudget {
  measured = 0;
  constructor(readonly max: number) {}
}

/** The fastest Pareto point reaching `target` measured accuracy, or why not. */
export async function findMatch(
  points: readonly ParetoPoint[],
  target: number,
  models: SupernetModels,
  knobs: MatchKnobs,
  budget: MatchBudget,
): Promise<Match | { readonly reason: string }> {
  const margin = knobs.margin ?? 0.03;
  const goal = target - knobs.tolerance;
  const sorted = [...points].sort((a, b) =>
    a.metrics.latencyMs - b.metrics.latencyMs || b.metrics.accuracy - a.metrics.accuracy
  );
  let tried = 0, skipped = 0, unmeasured = 0;
  for (const p of sorted) {
    const known = models.known(p.config);
    if (known === undefined) {
      if (p.metrics.accuracy < goal - margin) {
        skipped++;
        continue;
      }
      if (budget.measured >= budget.max) {
        unmeasured++;
        continue;
      }
      budget.measured++;
    }
    tried++;
    const model = await models.get(p.config);
    if (model.testAccuracy >= goal) return { config: p.config, model, tried };
  }
  return {
    reason: `no Pareto configuration reached ${(100 * goal).toFixed(2)}% measured test ` +
      `accuracy: ${tried} measured below it, ${skipped} predicted more than ` +
      `${(100 * margin).toFixed(0)} points below it, ${unmeasured} beyond the measuring budget`,
  };
}

/** The id of a match's configuration, for reports. */
export function matchId(models: SupernetModels, m: Match): string {
  return formatConfigId(models.task.space, m.config);
}
