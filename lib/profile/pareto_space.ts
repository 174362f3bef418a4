/**
 * The Pareto set of a whole search space under the profile's predictors: accuracy (max),
 * latency (min), energy per inference (min) and weight bytes (min) of every configuration,
 * evaluated in typed arrays (see `space_eval.ts`) and filtered exactly (see `pareto.ts`).
 *
 * @module
 */
import type { PlatformConfig } from "../config/platform.ts";
import { configAt } from "../supernet/enumerate.ts";
import { formatConfigId } from "../supernet/config_id.ts";
import { type CostInput, subnetCost } from "../supernet/cost.ts";
import type { SearchSpace } from "../supernet/space.ts";
import { type Figure, modeled } from "../report/provenance.ts";
import { accuracyObjective, reportedAccuracy, type RidgeModel } from "./accuracy_predictor.ts";
import { paretoFront } from "./pareto.ts";
import { type AdditiveObjective, evaluateSpace, partsObjective } from "./space_eval.ts";

/** One configuration on the front, with its predicted metrics. */
export interface ParetoPoint {
  readonly index: number;
  readonly id: string;
  readonly accuracy: Figure;
  readonly latency: Figure;
  readonly energy: Figure;
  readonly weightBytes: Figure;
}

/** What the whole-space evaluation needs. */
export interface SpaceParetoInput {
  readonly space: SearchSpace;
  readonly input: CostInput;
  readonly accuracy: RidgeModel;
  /** Names the accuracy predictor in provenance (default `ridge accuracy predictor`). */
  readonly accuracyName?: string;
  /** Per-part latency (ms): the corrected LUT (`lutObjective`) or the modeled platform's. */
  readonly latency: AdditiveObjective;
  /** Names the latency predictor in provenance. */
  readonly latencySource: string;
  readonly power: PlatformConfig["power"];
  readonly platformPath: string;
}

/** The front and how long it took. */
export interface SpacePareto {
  readonly configurations: number;
  readonly front: readonly ParetoPoint[];
  readonly timingsMs: { readonly evaluate: number; readonly filter: number };
}

/** Weight bytes (as exported) per part. */
export function weightBytesObjective(space: SearchSpace, input: CostInput): AdditiveObjective {
  return partsObjective(
    space,
    (config) =>
      subnetCost(space, config, input).parts.map((p) =>
        config.int8 ? p.weightBytesInt8 : p.weightBytesFloat32
      ),
  );
}

/**
 * Evaluate every configuration and keep the non-dominated ones.
 *
 * Energy is modeled as `activeWatts x latency`, a monotone function of latency, so it never
 * adds a point to the front; it is carried so that every front point states it.
 */
export function spacePareto(inp: SpaceParetoInput): SpacePareto {
  const t0 = performance.now();
  const [acc, lat, bytes] = evaluateSpace(inp.space, [
    accuracyObjective(inp.space, inp.accuracy),
    inp.latency,
    weightBytesObjective(inp.space, inp.input),
  ]);
  const n = acc.length;
  const negAcc = new Float64Array(n), energy = new Float64Array(n);
  const watts = inp.power.activeWatts.value;
  for (let i = 0; i < n; i++) {
    negAcc[i] = -acc[i];
    energy[i] = watts * lat[i];
  }
  const t1 = performance.now();
  const front = paretoFront([negAcc, lat, energy, bytes]);
  const t2 = performance.now();
  const accSrc = `${
    inp.accuracyName ?? "ridge accuracy predictor"
  } (lambda ${inp.accuracy.lambda})`;
  const energySrc = `${inp.platformPath}: activeWatts x predicted latency`;
  return {
    configurations: n,
    front: [...front].map((i) => ({
      index: i,
      id: formatConfigId(inp.space, configAt(inp.space, i)),
      accuracy: modeled(reportedAccuracy(acc[i]), "fraction", accSrc),
      latency: modeled(lat[i], "ms", inp.latencySource),
      energy: modeled(energy[i], "mJ", energySrc),
      weightBytes: modeled(bytes[i], "B", "static count from shapes (lib/supernet/cost.ts)"),
    })),
    timingsMs: { evaluate: t1 - t0, filter: t2 - t1 },
  };
}
