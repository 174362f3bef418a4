/**
 * A {@link Predictor} backed by a profile artifact (lib/profile/artifact.ts): the predictors the
 * profile stage fitted, rebuilt from the artifact and laid out as per-block tables.
 *
 * - **accuracy**: the ridge accuracy predictor (additive over block choices and the int8 flag);
 * - **latency**: on a measured platform the corrected per-block LUT, on a modeled one the
 *   roofline model with the stored calibration (additive per part, `lib/profile/space_eval.ts`);
 * - **energy**: the platform's `activeWatts x` predicted latency;
 * - **bytes**: the exported weight bytes, a static count from shapes.
 *
 * Every one is a sum of per-(block, choice, input width, int8) terms plus a term of the final
 * width, so a prediction is one table lookup per block. The sums are taken in the same order as
 * `evaluateSpace`, so the figures are bit-identical to those the profile stored for its Pareto
 * set. Every figure is *modeled* (a predictor), whatever the platform: {@link ProfilePredictor}
 * `sources` names which predictor made it.
 *
 * @module
 */
import type { AccuracyMetric } from "../data/metrics.ts";
import type { ModeledPlatformConfig, PlatformConfig } from "../config/platform.ts";
import type { ProfileArtifact } from "../profile/artifact.ts";
import { accuracyObjective } from "../profile/accuracy_predictor.ts";
import { lutObjective } from "../profile/lut.ts";
import { modeledLatencyObjective } from "../profile/latency_model.ts";
import { weightBytesObjective } from "../profile/pareto_space.ts";
import { type AdditiveObjective, widthMap } from "../profile/space_eval.ts";
import { parseConfigId } from "../supernet/config_id.ts";
import type { CostInput } from "../supernet/cost.ts";
import type { SearchSpace, SubnetConfig } from "../supernet/space.ts";
import { AdaspringError } from "../errors.ts";
import { buildParetoIndex, type ParetoIndex } from "./pareto_lookup.ts";
import type { Metrics, MetricsColumns, Predictor } from "./types.ts";

/** Which predictor makes each figure (for provenance in reports). */
export interface PredictorSources {
  readonly accuracy: string;
  readonly latency: string;
  readonly energy: string;
  readonly bytes: string;
}

/** A profile-backed predictor with its Pareto set. */
export interface ProfilePredictor extends Predictor {
  predictBatch(digits: Uint8Array, count: number, out: MetricsColumns): void;
  readonly sources: PredictorSources;
  /** What `accuracy` predicts (see {@link PredictedMetric}). */
  readonly metric: PredictedMetric;
  /** The profile's Pareto set under `metric`, ready for `search({ pareto })`. */
  readonly pareto: ParetoIndex;
}

/**
 * What the predicted `accuracy` is: test-style accuracy, or balanced accuracy (mean per-class
 * recall) from the profile's balanced-accuracy predictor (imbalanced validation splits only,
 * `lib/profile/balanced_profile.ts`).
 */
export type PredictedMetric = AccuracyMetric;

/** What the artifact does not hold: the network's input, and the platform file it names. */
export interface ProfilePredictorInput {
  /** One sample's shape and the class count (from the task's data). */
  readonly input: CostInput;
  /** The platform config the profile was made with (`profile.platform.path`). */
  readonly platform: PlatformConfig;
  /**
   * What `accuracy` predicts, and so what the Pareto set trades against latency (default
   * `accuracy`); `balancedAccuracy` needs a profile with a balanced-accuracy predictor.
   */
  readonly metric?: PredictedMetric;
}

/** Tables of one additive objective: `[block][int8][choice * ncin + cinIndex]`, `[int8][feat]`. */
interface Tables {
  readonly blocks: Float64Array[][];
  readonly rest: Float64Array[];
}

function tabulate(space: SearchSpace, obj: AdditiveObjective, map = widthMap(space)): Tables {
  const flags = space.int8 ? [false, true] : [false];
  const B = space.blocks.length;
  return {
    blocks: space.blocks.map((b, i) =>
      flags.map((int8) => {
        const ncin = map.cins[i].length;
        const t = new Float64Array(b.choices.length * ncin);
        b.choices.forEach((_, choice) =>
          map.cins[i].forEach((cin, ci) => {
            t[choice * ncin + ci] = obj.block({ block: i, choice, cin, int8 });
          })
        );
        return t;
      })
    ),
    rest: flags.map((int8) => Float64Array.from(map.cins[B], (f) => obj.rest(f, int8))),
  };
}

function latencyObjective(
  space: SearchSpace,
  profile: ProfileArtifact,
  inp: ProfilePredictorInput,
): { objective: AdditiveObjective; source: string } {
  if (profile.lut !== null) {
    const v = profile.latencyValidation;
    const correction = v?.correction ?? { slope: 1, perUnit: 0, intercept: 0 };
    const quality = v ? `; held-out RMSPE ${v.corrected.rmspe.toFixed(1)}%` : "";
    return {
      objective: lutObjective(space, profile.lut, correction),
      source: `corrected per-block LUT (${profile.lut.source})${quality}`,
    };
  }
  if (inp.platform.latency !== "modeled") {
    throw new AdaspringError(
      `the profile of ${profile.platform.name} has no latency table, but ${profile.platform.path} ` +
        `is a measured platform; re-run profile for this platform.`,
    );
  }
  return {
    objective: modeledLatencyObjective(
      space,
      inp.input,
      inp.platform as ModeledPlatformConfig,
      profile.platform.path,
      profile.calibration ?? undefined,
    ),
    source: `${profile.platform.path}: roofline model` +
      (profile.calibration ? ", host-calibrated" : ", uncalibrated priors"),
  };
}

/**
 * Rebuild the profile's predictors over `space` (the space of the task the profile was made
 * from; check freshness with `assertFresh` first).
 *
 * @example
 * ```ts ignore
 * import { readProfile } from "../profile/artifact.ts";
 * import { loadPlatformConfig } from "../config/platform.ts";
 * import { createSearchSpace } from "../supernet/space.ts";
 * import { loadTaskConfig } from "../config/task.ts";
 * import { profilePredictor } from "./profile_predictor.ts";
 * const profile = await readProfile("runs/profile-mnist/profile-host.json");
 * const space = createSearchSpace((await loadTaskConfig("mnist")).config);
 * const platform = (await loadPlatformConfig(profile.platform.path)).config;
 * const p = profilePredictor(space, profile, { input: { inputShape: [1, 28, 28], numClasses: 10 }, platform });
 * console.log(p.predict(p.pareto.points[0].config), p.sources.latency);
 * ```
 */
export function profilePredictor(
  space: SearchSpace,
  profile: ProfileArtifact,
  inp: ProfilePredictorInput,
): ProfilePredictor {
  const map = widthMap(space);
  const latency = latencyObjective(space, profile, inp);
  const metric = inp.metric ?? "accuracy";
  if (metric === "balancedAccuracy" && !profile.balanced) {
    throw new AdaspringError(
      `the profile of ${profile.task.name} on ${profile.platform.name} has no balanced-accuracy ` +
        "predictor: its validation split is balanced (predict accuracy instead), or the profile " +
        "predates it (run profile again).",
    );
  }
  const accuracyFit = metric === "balancedAccuracy"
    ? profile.balanced!.predictor
    : profile.accuracyPredictor;
  const model = accuracyFit.model;
  const acc = tabulate(space, accuracyObjective(space, model), map);
  const lat = tabulate(space, latency.objective, map);
  const bytes = tabulate(space, weightBytesObjective(space, inp.input), map);
  const watts = inp.platform.power.activeWatts.value;
  const B = space.blocks.length, w = B + 1;
  const out = map.out;
  const ncins = map.cins.map((c) => c.length);

  const row = (choice: (i: number) => number, int8: boolean): Metrics => {
    const f = int8 ? 1 : 0;
    let a = 0, l = 0, b = 0, ci = 0;
    for (let i = 0; i < B; i++) {
      const k = choice(i) * ncins[i] + ci;
      a += acc.blocks[i][f][k];
      l += lat.blocks[i][f][k];
      b += bytes.blocks[i][f][k];
      ci = out[i][choice(i)][ci];
    }
    const latencyMs = l + lat.rest[f][ci];
    return {
      accuracy: a + acc.rest[f][ci],
      latencyMs,
      energyMj: watts * latencyMs,
      bytes: b + bytes.rest[f][ci],
    };
  };

  const sources: PredictorSources = {
    accuracy: `ridge ${metric === "balancedAccuracy" ? "balanced-" : ""}accuracy predictor ` +
      `(lambda ${model.lambda}; held-out Kendall tau ${accuracyFit.quality.kendallTau.toFixed(2)})`,
    latency: latency.source,
    energy: `${profile.platform.path}: activeWatts x predicted latency`,
    bytes: "static count from shapes (lib/supernet/cost.ts)",
  };
  const front = metric === "balancedAccuracy"
    ? profile.balanced!.pareto.front
    : profile.pareto.front;
  const points = front.map((p) => ({
    config: parseConfigId(space, p.id),
    metrics: {
      accuracy: p.accuracy.value,
      latencyMs: p.latency.value,
      energyMj: p.energy.value,
      bytes: p.weightBytes.value,
    },
  }));
  return {
    sources,
    metric,
    pareto: buildParetoIndex(points),
    predict(config: SubnetConfig): Metrics {
      return row((i) => config.choices[i], config.int8 && space.int8);
    },
    predictBatch(digits: Uint8Array, count: number, cols: MetricsColumns): void {
      // The same sums as `row`, inlined: this loop is the exhaustive search's hot path.
      for (let r = 0; r < count; r++) {
        const base = r * w;
        const f = digits[base + B] === 1 && space.int8 ? 1 : 0;
        let a = 0, l = 0, b = 0, ci = 0;
        for (let i = 0; i < B; i++) {
          const c = digits[base + i];
          const k = c * ncins[i] + ci;
          a += acc.blocks[i][f][k];
          l += lat.blocks[i][f][k];
          b += bytes.blocks[i][f][k];
          ci = out[i][c][ci];
        }
        const latencyMs = l + lat.rest[f][ci];
        cols.accuracy[r] = a + acc.rest[f][ci];
        cols.latencyMs[r] = latencyMs;
        cols.energyMj[r] = watts * latencyMs;
        cols.bytes[r] = b + bytes.rest[f][ci];
      }
    },
  };
}
