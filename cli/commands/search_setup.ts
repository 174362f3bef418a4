/**
 * What `search` and `adapt` share: open a task's profile for a platform (located when not
 * given), refuse it when stale, rebuild its predictors, load the data and the weight store it
 * was made with, and read a context from a file or from flags.
 *
 * @module
 */
import { dirname, join } from "node:path";
import {
  type ContextConfig,
  type ContextState,
  contextStateSchema,
  loadContextConfig,
} from "../../lib/config/context.ts";
import { type LoadedConfig } from "../../lib/config/source.ts";
import { loadPlatformConfig, type PlatformConfig } from "../../lib/config/platform.ts";
import { loadTaskConfig, type TaskConfig } from "../../lib/config/task.ts";
import type { MappingKnobs } from "../../lib/context/constraints.ts";
import { prepareDataset } from "../../lib/data/prepare.ts";
import type { PreparedDataset } from "../../lib/data/types.ts";
import { badInput } from "../../lib/errors.ts";
import { assertFresh, type ProfileArtifact, readProfile } from "../../lib/profile/artifact.ts";
import { BN_CACHE_DIR, weightsIdentity } from "../../lib/profile/run.ts";
import { precomputeLowRank } from "../../lib/supernet/svd_cache.ts";
import { initWeb } from "../../lib/runtime/web.ts";
import { createSession } from "../../lib/runtime/session.ts";
import { encodeModel } from "../../lib/onnx/proto/encode.ts";
import { materialize } from "../../lib/supernet/materialize.ts";
import { largestConfig } from "../../lib/supernet/extremes.ts";
import { locateProfile } from "../../lib/search/locate.ts";
import { energyRangeOf } from "../../lib/search/objective.ts";
import {
  type PredictedMetric,
  type ProfilePredictor,
  profilePredictor,
} from "../../lib/search/profile_predictor.ts";
import { bnStatsOnDisk, type CalibrationData } from "../../lib/supernet/bn_calibration.ts";
import { createSearchSpace, type SearchSpace } from "../../lib/supernet/space.ts";
import { createWeightStore, type WeightStore } from "../../lib/supernet/weights.ts";
import { loadWeightStore } from "../../lib/supernet/weights_io.ts";

/** Everything a search over a profile needs. */
export interface Workspace {
  readonly task: LoadedConfig<TaskConfig>;
  readonly platform: LoadedConfig<PlatformConfig>;
  readonly space: SearchSpace;
  readonly profile: ProfileArtifact;
  readonly profilePath: string;
  /** Whether the profile was located (newest under runs/) rather than given. */
  readonly located: boolean;
  readonly predictor: ProfilePredictor;
  readonly energyRange: { minMj: number; maxMj: number };
  readonly data: PreparedDataset;
  readonly store: WeightStore;
  readonly calibration: CalibrationData;
  readonly seed: number;
  /** BN statistics of the profile's Pareto configurations (`profile` precomputes them). */
  readonly bnCacheDir: string;
  /** Start-up work that keeps runtime evolution free of SVD: every low-rank slice factored. */
  readonly lowRankPrecompute: { readonly ms: number; readonly computed: number };
  /** Start-up: onnxruntime-web's WASM initialised (its first session), ms. */
  readonly runtimeInitMs: number;
  /** Start-up: the Pareto set's BN statistics read into memory from `bnCacheDir`. */
  readonly bnPreload: { readonly ms: number; readonly fromDisk: number; readonly missing: number };
}

/** Options of {@link openWorkspace} (the shared command-line options). */
export interface WorkspaceOptions {
  readonly platform: string;
  readonly task: string;
  readonly profile?: string;
  readonly weights?: string;
  readonly seed?: number;
  /** Run root searched when `profile` is absent (default `runs`). */
  readonly runsRoot?: string;
  /** What predicted accuracy means (default `accuracy`; see `PredictedMetric`). */
  readonly metric?: PredictedMetric;
  readonly log?: (line: string) => void;
}

/** The store path a profile recorded in its weights' origin (`... (loaded from PATH)`). */
function recordedWeights(profile: ProfileArtifact): string | undefined {
  return /\(loaded from (.+)\)$/.exec(profile.supernet.origin ?? "")?.[1];
}

/** Open the task's profile for the platform; see the module doc. */
export async function openWorkspace(opts: WorkspaceOptions): Promise<Workspace> {
  const log = opts.log ?? ((l: string) => console.error(l));
  const task = await loadTaskConfig(opts.task);
  const named = await loadPlatformConfig(opts.platform);
  const profilePath = opts.profile ??
    await locateProfile({
      platform: named.config.name,
      task: task.config.name,
      root: opts.runsRoot,
    });
  const profile = await readProfile(profilePath);
  if (profile.task.name !== task.config.name || profile.platform.name !== named.config.name) {
    throw badInput(
      `${profilePath}: a profile of task ${profile.task.name} on ${profile.platform.name}, but ` +
        `--task ${task.config.name} --platform ${named.config.name} was asked; pass the ` +
        `matching profile or drop --profile to use the newest matching one.`,
    );
  }
  const platform = await loadPlatformConfig(profile.platform.path);
  const seed = opts.seed ?? task.config.seed;
  const weights = opts.weights ?? recordedWeights(profile);
  assertFresh(profile, {
    taskConfigHash: task.hash,
    supernetWeightsHash: await weightsIdentity(weights, seed),
    platformHash: platform.hash,
  }, profilePath);
  for (const w of profile.warnings ?? []) log(`WARNING (profile): ${w}`);
  const space = createSearchSpace(task.config);
  const data = await prepareDataset(task.config.name, task.config.dataset, {
    seed,
    baseDir: dirname(task.path),
    onWarning: (m) => log(`warning: ${m}`),
  });
  const io = { inputChannels: data.inputShape[0], numClasses: data.classes.length };
  const store = weights
    ? await loadWeightStore(weights, space, io)
    : createWeightStore(space, io, seed);
  // SVD of every low-rank slice once, at start-up, so no evolution pays it (svd_cache.ts).
  const t0 = performance.now();
  const lowRank = precomputeLowRank(store, space);
  const lowRankPrecompute = { ms: performance.now() - t0, computed: lowRank.computed };
  // The runtime starts with the app (which is running some model already), not with the first
  // evolution: initialise the WASM and run one model of the space once.
  const t1 = performance.now();
  await initWeb();
  const warm = materialize(store, space, largestConfig(space), { inputShape: data.inputShape });
  const session = await createSession(encodeModel(warm.model), { cache: false });
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  await session.run({
    input: { dtype: "float32", shape: [1, ...data.inputShape], data: data.train.x.slice(0, size) },
  });
  await session.release();
  const runtimeInitMs = performance.now() - t1;
  const predictor = profilePredictor(space, profile, {
    input: { inputShape: data.inputShape, numClasses: data.classes.length },
    platform: platform.config,
    metric: opts.metric,
  });
  if (profile.balanced && predictor.metric === "accuracy") {
    log(
      "note: the validation split is imbalanced, so plain accuracy barely tells a model that " +
        "finds the rare classes from one that does not; --metric balanced searches balanced accuracy",
    );
  }
  // BN statistics of every Pareto configuration into memory (a few KB each), so evolving one
  // reads no file. Missing ones (a profile made before they were shipped) are left to first use.
  const bnCacheDir = join(dirname(profilePath), BN_CACHE_DIR);
  const calibration = { x: data.train.x, inputShape: data.inputShape, key: data.checksum };
  const t2 = performance.now();
  let fromDisk = 0, missing = 0;
  for (const p of predictor.pareto.points) {
    if (await bnStatsOnDisk(store, space, p.config, calibration, bnCacheDir)) fromDisk++;
    else missing++;
  }
  const bnPreload = { ms: performance.now() - t2, fromDisk, missing };
  return {
    task,
    platform,
    space,
    profile,
    profilePath,
    located: opts.profile === undefined,
    predictor,
    energyRange: energyRangeOf(space, predictor),
    data,
    store,
    calibration,
    seed,
    bnCacheDir,
    lowRankPrecompute,
    runtimeInitMs,
    bnPreload,
  };
}

/** A context to search, where it came from, and the file's mapping knobs. */
export interface ChosenContext {
  readonly state: ContextState;
  readonly source: string;
  readonly note?: string;
  readonly knobs: MappingKnobs;
  readonly file?: ContextConfig;
}

/** The context flags of `search`. */
export interface ContextFlags {
  readonly context?: string;
  readonly battery?: number;
  readonly latencyMs?: number;
  readonly storageMb?: number;
  readonly cpuShare?: number;
  readonly minAccuracy?: number;
}

/** The state of `--context FILE` (a trace's first state, said so) or of the flags. */
export async function chooseContext(flags: ContextFlags): Promise<ChosenContext> {
  if (flags.context !== undefined) {
    const { config, path } = await loadContextConfig(flags.context);
    const knobs = { mapping: config.mapping, objective: config.objective };
    if (config.snapshot) return { state: config.snapshot, source: path, knobs, file: config };
    const { t, ...state } = config.trace![0];
    return {
      state,
      source: path,
      note: `${path} is a trace of ${config.trace!.length} states; searched its first ` +
        `(t = ${t} s). Use \`adaspring adapt --trace ${path}\` to replay all of it.`,
      knobs,
      file: config,
    };
  }
  const raw = {
    batteryPct: flags.battery,
    freeStorageMb: flags.storageMb,
    cpuShare: flags.cpuShare,
    latencyMs: flags.latencyMs,
    minAccuracy: flags.minAccuracy,
  };
  const missing = Object.entries({
    "--battery": flags.battery,
    "--latency-ms": flags.latencyMs,
    "--storage-mb": flags.storageMb,
    "--cpu-share": flags.cpuShare,
  }).filter(([, v]) => v === undefined).map(([k]) => k);
  if (missing.length > 0) {
    throw badInput(
      `search needs a context: --context FILE, or all of --battery PCT --latency-ms MS ` +
        `--storage-mb MB --cpu-share X [--min-accuracy A]; missing ${missing.join(", ")}.`,
    );
  }
  const parsed = contextStateSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw badInput(`context flags: ${i.path.join(".")}: ${i.message}.`);
  }
  return { state: parsed.data, source: "command-line flags", knobs: {} };
}
