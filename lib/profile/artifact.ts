/**
 * The profile artifact: everything `profile` learned about one task on one platform, as
 * versioned JSON validated with zod on load. It records what it was computed from (task config
 * hash, supernet weights hash, platform file hash), so a later `search` can refuse a stale
 * profile instead of silently using numbers that no longer describe the network.
 *
 * @module
 */
import { z } from "zod";
import { AdaspringError, badInput } from "../errors.ts";
import { writeFileAtomic } from "../util/atomic.ts";
import { PROVENANCES } from "../report/provenance.ts";
import { OP_KINDS } from "../config/platform.ts";
import type { AccuracyFit } from "./accuracy_predictor.ts";
import type { SpacePareto } from "./pareto_space.ts";

/** Bumped on any incompatible change of the layout below. */
export const PROFILE_SCHEMA_VERSION = 1;

const figure = z.strictObject({
  value: z.number(),
  unit: z.string(),
  provenance: z.enum(PROVENANCES as [string, ...string[]]),
  source: z.string().optional(),
});

const stats = z.strictObject({
  count: z.int().nonnegative(),
  mean: z.number(),
  var: z.number().nonnegative(),
  median: z.number(),
});

const quality = z.strictObject({
  rmspe: z.number(),
  within10: z.number().min(0).max(1),
  n: z.int(),
});

const correction = z.strictObject({
  slope: z.number(),
  perUnit: z.number(),
  intercept: z.number(),
});

const points = z.array(z.strictObject({
  id: z.string(),
  measured: z.number(),
  predicted: z.number(),
  heldOut: z.boolean(),
}));

const accuracyPredictor = z.strictObject({
  model: z.strictObject({
    kind: z.literal("ridge"),
    lambda: z.number().nonnegative(),
    featureNames: z.array(z.string()),
    weights: z.array(z.number()),
    intercept: z.number(),
  }),
  quality: z.strictObject({
    kendallTau: z.number(),
    spearman: z.number(),
    rmse: z.number(),
    n: z.int(),
    // Absent from profiles written before it was measured (same schema version otherwise).
    splitHalfTau: z.number().nullable().default(null),
  }),
  points,
});

const pareto = z.strictObject({
  configurations: z.int(),
  timingsMs: z.strictObject({ evaluate: z.number(), filter: z.number() }),
  front: z.array(z.strictObject({
    index: z.int().nonnegative(),
    id: z.string(),
    accuracy: figure,
    latency: figure,
    energy: figure,
    weightBytes: figure,
  })),
});

/** The artifact's schema. */
export const profileSchema = z.strictObject({
  schemaVersion: z.literal(PROFILE_SCHEMA_VERSION),
  /** `path`: the task YAML the profile was made from (read again to check freshness). */
  task: z.strictObject({ name: z.string(), configHash: z.string(), path: z.string().optional() }),
  /** `origin`: where the weights came from, e.g. `untrained (initialised from seed 0)`. */
  supernet: z.strictObject({
    weightsHash: z.string(),
    origin: z.string().optional(),
    trained: z.boolean().optional(),
    /**
     * How low-rank factors were derived for its accuracies (`lowrank_fit.ts`); absent from
     * profiles made before the activation-aware fit, whose factors were the plain SVD's.
     */
    derivation: z.string().default("svd"),
  }),
  /** Caveats every reader must see (untrained weights, modeled figures). */
  warnings: z.array(z.string()).optional(),
  platform: z.strictObject({
    name: z.string(),
    path: z.string(),
    hash: z.string(),
    latency: z.enum(["measured", "modeled"]),
  }),
  lut: z.strictObject({
    source: z.string(),
    protocol: z.strictObject({
      warmup: z.int().nonnegative(),
      repeats: z.int().positive(),
      trim: z.number().min(0).max(0.5),
    }),
    entries: z.record(z.string(), stats),
  }).nullable(),
  latencyValidation: z.strictObject({
    correction,
    trainCount: z.int(),
    raw: quality,
    corrected: quality,
    points,
  }).nullable(),
  calibration: z.strictObject({
    efficiency: z.partialRecord(z.enum(OP_KINDS), z.number().positive().max(1)),
    overheadMs: z.number().nonnegative(),
    hostPeakGflops: z.number().positive(),
    hostClockGhz: z.number().positive(),
    samples: z.int(),
    fitRmspe: z.number(),
  }).nullable(),
  accuracyPredictor,
  pareto,
  /**
   * On an imbalanced validation split: the predictor fitted to balanced accuracy and the front
   * under it (`balanced_profile.ts`). Absent for a balanced split, and from profiles written
   * before it was fitted (same schema version otherwise).
   */
  balanced: z.strictObject({ predictor: accuracyPredictor, pareto }).optional(),
});

/** A profile artifact. */
export type ProfileArtifact = z.output<typeof profileSchema>;

/** The artifact's form of a fitted accuracy predictor (`accuracyPredictor`, `balanced.predictor`). */
export function predictorSection(fit: AccuracyFit): ProfileArtifact["accuracyPredictor"] {
  return {
    model: {
      ...fit.model,
      featureNames: [...fit.model.featureNames],
      weights: [...fit.model.weights],
    },
    quality: fit.quality,
    points: [...fit.points],
  };
}

/** The artifact's form of a whole-space Pareto front (`pareto`, `balanced.pareto`). */
export function paretoSection(p: SpacePareto): ProfileArtifact["pareto"] {
  return { configurations: p.configurations, timingsMs: p.timingsMs, front: [...p.front] };
}

/** Write a profile atomically (validated first, so a broken profile is never written). */
export async function writeProfile(path: string, profile: ProfileArtifact): Promise<void> {
  const checked = profileSchema.parse(profile);
  await writeFileAtomic(path, JSON.stringify(checked, null, 2) + "\n");
}

/**
 * Read and validate a profile; errors name the file and the first bad field.
 *
 * @example
 * ```ts
 * import { readProfile } from "./artifact.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/p.json`, "{}");
 * try { await readProfile(`${dir}/p.json`); } catch (e) { console.assert(String(e).includes("p.json")); }
 * ```
 */
export async function readProfile(path: string): Promise<ProfileArtifact> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (err) {
    throw badInput(
      `${path}: cannot read the profile (${(err as Error).message}); run profile first.`,
      err,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw badInput(`${path}: not valid JSON (${(err as Error).message}); re-run profile.`, err);
  }
  const version = (json as { schemaVersion?: unknown })?.schemaVersion;
  if (version !== PROFILE_SCHEMA_VERSION) {
    throw badInput(
      `${path}: profile schema version ${String(version)}, this adaspring reads version ` +
        `${PROFILE_SCHEMA_VERSION}; re-run profile.`,
    );
  }
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw badInput(
      `${path}: invalid profile at ${issue.path.join(".") || "(root)"}: ${issue.message}; ` +
        `re-run profile.`,
    );
  }
  return parsed.data;
}

/** What the profile must still match. */
export interface CurrentInputs {
  readonly taskConfigHash: string;
  readonly supernetWeightsHash: string;
  readonly platformHash?: string;
}

/**
 * Refuse a stale profile: one whose task config, supernet weights or (when given) platform file
 * changed since it was made.
 */
export function assertFresh(profile: ProfileArtifact, current: CurrentInputs, path: string): void {
  const stale: string[] = [];
  if (profile.task.configHash !== current.taskConfigHash) {
    stale.push(`the task config of ${profile.task.name} changed`);
  }
  if (profile.supernet.weightsHash !== current.supernetWeightsHash) {
    stale.push("the supernet weights changed (retrained?)");
  }
  if (current.platformHash !== undefined && profile.platform.hash !== current.platformHash) {
    stale.push(`the platform file ${profile.platform.path} changed`);
  }
  if (stale.length > 0) {
    throw new AdaspringError(
      `${path} is stale: ${stale.join("; ")}. Re-run profile for task ${profile.task.name} ` +
        `on platform ${profile.platform.name} to refresh it.`,
      { exitCode: 3 },
    );
  }
}
