/**
 * The AdaSpring side of one task: ensemble-train the supernet at the suite's budget (or reuse
 * the stage's saved store), then profile it on this machine (measured) and on every modeled
 * platform (with this machine's calibration), sharing one profile directory so that accuracy
 * measurements are taken once.
 *
 * @module
 */
import { LOW_RANK_DERIVATION } from "../supernet/lowrank_fit.ts";
import { join } from "node:path";
import { type SuiteConfig, type SupernetSettings, supernetSettingsFor } from "../config/suite.ts";
import { badInput } from "../errors.ts";
import { artifactName, runProfile, weightsIdentity } from "../profile/run.ts";
import { type ProfileArtifact, readProfile } from "../profile/artifact.ts";
import { DEFAULT_DISTILL, trainSupernet } from "../supernet/ensemble.ts";
import { createWeightStore, markUpdated, type WeightStore } from "../supernet/weights.ts";
import { loadWeightStore, saveWeightStore } from "../supernet/weights_io.ts";
import { subnetCost } from "../supernet/cost.ts";
import { largestConfig, smallestConfig } from "../supernet/extremes.ts";
import { deriveSubnetWeights } from "../supernet/derive.ts";
import { planSubnet } from "../supernet/plan.ts";
import type { SearchSpace } from "../supernet/space.ts";
import { openTeacher } from "../supernet/teacher.ts";
import { backboneStage } from "./stage_baselines.ts";
import { copyStore } from "../supernet/ensemble_checkpoint.ts";
import { copySlice } from "../supernet/slice.ts";
import { type EvalTask, readStage, stampInputs, writeStage } from "./task_setup.ts";

/** What the supernet stage records. */
export interface SupernetStage {
  readonly weightsPath: string;
  readonly epochs: number;
  /** Sum of every epoch's training time (measured), resumed epochs included. */
  readonly trainSeconds: number;
  /** Wall time of the process that finished the stage (a resumed run's share only). */
  readonly wallSeconds: number;
  readonly samplesPerSecond: number;
  readonly trainSamples: number;
  /** Configurations trained per step (sandwich: largest, smallest, random). */
  readonly configsPerStep: number;
  readonly steps: number;
  readonly batchSize: number;
  /** Training FLOPs, modeled as 3 x forward FLOPs x samples over every configuration trained. */
  readonly trainFlops: number;
  readonly bestEpoch: number;
  readonly bestScore: number;
  /**
   * The fixed teacher (suite `teacher: backbone`): the backbone baseline, which also started
   * the largest configuration's shared weights; its training time is part of the supernet's
   * cost (`trainSeconds` does not include it).
   */
  readonly teacher?: {
    readonly kind: "backbone";
    readonly modelPath: string;
    readonly trainSeconds: number;
    readonly trainFlops: number;
  };
}

/**
 * A supernet's training cost: its ensemble training, plus its fixed teacher's own training
 * where it has one (the teacher is trained for it, so it is part of the supernet's cost).
 *
 * @example
 * ```ts
 * import { supernetCost } from "./stage_supernet.ts";
 * const c = supernetCost({ trainSeconds: 100, trainFlops: 1e9, epochs: 8 });
 * console.assert(c.seconds === 100 && c.flops === 1e9);
 * ```
 */
export function supernetCost(
  sn: Pick<SupernetStage, "trainSeconds" | "trainFlops" | "epochs" | "teacher">,
): { seconds: number; flops: number; note: string } {
  const own = `ensemble training, ${sn.epochs} epoch(s)`;
  if (!sn.teacher) return { seconds: sn.trainSeconds, flops: sn.trainFlops, note: own };
  return {
    seconds: sn.trainSeconds + sn.teacher.trainSeconds,
    flops: sn.trainFlops + sn.teacher.trainFlops,
    note: `${own}, plus its teacher's (the backbone trained alone, ` +
      `${sn.teacher.trainSeconds.toFixed(0)} s)`,
  };
}

/**
 * What a supernet stage's stamp records: the settings without `seeds` (how many supernets are
 * trained adds stages, it changes none), so that raising it keeps what was trained.
 */
export function supernetStamp(sn: SupernetSettings): Omit<SupernetSettings, "seeds"> {
  const { seeds: _seeds, ...rest } = sn;
  return rest;
}

/**
 * The stage directory of supernet `index` (0: `supernet`, the one profiled and matched; 1, 2,
 * ...: `supernet.seed<i>`) and its seed (weight initialization and training), `seed + index`.
 *
 * @example
 * ```ts
 * import { supernetRun } from "./stage_supernet.ts";
 * console.assert(supernetRun(0, 0).dir === "supernet" && supernetRun(5, 2).seed === 7);
 * console.assert(supernetRun(5, 2).dir === "supernet.seed2");
 * ```
 */
export function supernetRun(seed: number, index: number): { dir: string; seed: number } {
  return { dir: index === 0 ? "supernet" : `supernet.seed${index}`, seed: seed + index };
}

/**
 * Trains (or reloads) supernet `index` of `t` (see {@link supernetRun}; 0, the default, is the
 * one the evaluation profiles and matches).
 */
export async function supernetStage(
  t: EvalTask,
  suite: SuiteConfig,
  index = 0,
): Promise<{ stage: SupernetStage; store: WeightStore }> {
  const sn = supernetSettingsFor(suite, t.config.name);
  const run = supernetRun(t.seed, index);
  const dir = join(t.dir, run.dir);
  const summaryPath = join(dir, "summary.json");
  const io = { inputChannels: t.data.inputShape[0], numClasses: t.data.classes.length };
  await stampInputs(dir, { supernet: supernetStamp(sn) });
  const done = await readStage<SupernetStage>(summaryPath);
  const label = index === 0 ? "supernet" : `supernet seed ${run.seed}`;
  if (done) {
    t.log(`  ${label}: reusing ${done.weightsPath}`);
    return { stage: done, store: await loadWeightStore(done.weightsPath, t.space, io) };
  }
  const tc = t.config.training;
  const teacher = sn.teacher === "backbone" ? await backboneTeacher(t, suite) : undefined;
  const fresh = createWeightStore(t.space, io, run.seed);
  const store = teacher ? teacher.init(fresh) : fresh;
  const random = sn.random;
  const resume = await exists(join(dir, "last.ckpt"));
  const t0 = performance.now();
  let lastLog = 0;
  const r = await trainSupernet({
    ...(teacher ? { teacher: teacher.model } : {}),
    space: t.space,
    store,
    data: { inputShape: t.data.inputShape, train: t.train, val: t.val, key: t.calibration.key },
    epochs: sn.epochs,
    batchSize: tc.batchSize,
    lr: tc.lr,
    optimizer: { kind: tc.optimizer, momentum: tc.momentum, weightDecay: tc.weightDecay },
    schedule: tc.schedule,
    warmupEpochs: tc.warmupEpochs,
    random,
    sampling: sn.sampling,
    configSteps: sn.configSteps ?? 1,
    gradientReduction: sn.gradientReduction ?? "sum",
    classBalanced: sn.classBalanced ?? false,
    classBalancePower: sn.classBalancePower ?? 0,
    largestOnlyEpochs: sn.largestOnlyEpochs ?? 0,
    lowRankTraining: sn.lowRankTraining ?? "straight-through",
    distill: { ...DEFAULT_DISTILL, alpha: sn.distillAlpha ?? DEFAULT_DISTILL.alpha },
    featureDistill: sn.featureDistill ?? 0,
    reorderChannels: sn.reorderChannels ?? false,
    seed: run.seed,
    backend: "web",
    workers: sn.workers,
    outDir: dir,
    resume,
    onProgress: (p) => {
      const now = performance.now();
      if (p.phase === "eval" || now - lastLog > 10_000) {
        lastLog = now;
        t.log(
          p.phase === "eval"
            ? `  ${label}: epoch ${p.epoch}/${p.epochs} validated`
            : `  ${label}: epoch ${p.epoch}/${p.epochs} step ${p.step}/${p.stepsPerEpoch}`,
        );
      }
    },
  }).finally(() => teacher?.model.close());
  if (r.interrupted) throw new Error("supernet training was interrupted");
  r.best.origin = `ensemble-trained by adaspring evaluate (suite ${suite.name}, ` +
    `${sn.epochs} epochs, seed ${run.seed}, ${t.train.y.length} training samples)`;
  const weightsPath = join(dir, "supernet.weights.json");
  await saveWeightStore(r.best, weightsPath);
  // Sandwich rule: the largest and smallest every step, plus `random` sampled ones whose
  // FLOPs are taken as the mean of the two extremes (a modeled figure, said so in the report).
  const input = { inputShape: t.data.inputShape, numClasses: t.data.classes.length };
  const big = subnetCost(t.space, largestConfig(t.space), input).flops;
  const small = subnetCost(t.space, smallestConfig(t.space), input).flops;
  const samples = r.steps * tc.batchSize;
  // Every epoch's time, those of an interrupted run this one resumed included (r.trainSeconds
  // counts this process only).
  const trainSeconds = r.epochs.reduce((s, e) => s + e.seconds, 0);
  const stage: SupernetStage = {
    weightsPath,
    epochs: sn.epochs,
    trainSeconds,
    wallSeconds: (performance.now() - t0) / 1000,
    samplesPerSecond: samples / trainSeconds,
    trainSamples: t.train.y.length,
    configsPerStep: 2 + random,
    steps: r.steps,
    batchSize: tc.batchSize,
    // With a fixed teacher, one more forward of the largest per sample (its logits).
    trainFlops: 3 * samples * (big + small + random * (big + small) / 2) +
      (teacher ? samples * big : 0),
    bestEpoch: r.bestEpoch,
    bestScore: r.bestScore,
    ...(teacher ? { teacher: teacher.stage } : {}),
  };
  await writeStage(summaryPath, stage);
  return { stage, store: await loadWeightStore(weightsPath, t.space, io) };
}

/**
 * A copy of `fresh` whose largest configuration's slices hold `teacher`'s weights (a store of
 * the same space holding the trained backbone); every other weight (depthwise, fire, the
 * low-rank BN) keeps `fresh`'s initialization.
 */
export function startFromTeacher(
  fresh: WeightStore,
  teacher: WeightStore,
  space: SearchSpace,
): WeightStore {
  const out = copyStore(
    fresh,
    `${fresh.origin}, largest configuration from the backbone trained alone`,
  );
  const plan = planSubnet(space, largestConfig(space), teacher.shape);
  for (const t of deriveSubnetWeights(teacher, plan).tensors.values()) {
    if (t.source.derived === null) copySlice(out, teacher, t.source);
  }
  markUpdated(out);
  return out;
}

/**
 * The backbone baseline as the supernet's fixed teacher (trained first if it is not yet): its
 * model, and how it starts a fresh store (the largest configuration's slices take the trained
 * backbone's weights; the other operators' weights keep the supernet seed's initialization).
 */
async function backboneTeacher(t: EvalTask, suite: SuiteConfig) {
  const { result, store: backbone } = await backboneStage(t, suite);
  const bytes = await Deno.readFile(result.modelPath);
  const model = await openTeacher(
    bytes,
    t.data.inputShape,
    t.data.classes.length,
    result.modelPath,
  );
  return {
    model,
    init: (fresh: WeightStore) => startFromTeacher(fresh, backbone, t.space),
    stage: {
      kind: "backbone" as const,
      modelPath: result.modelPath,
      trainSeconds: result.trainSeconds,
      trainFlops: result.trainFlops,
    },
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Profiles of the task on every platform, by platform name. */
export type Profiles = Map<string, { path: string; artifact: ProfileArtifact }>;

/** Profile the trained supernet on the host (measured) and every modeled platform. */
export async function profileStage(
  t: EvalTask,
  suite: SuiteConfig,
  weightsPath: string,
): Promise<Profiles> {
  const sn = supernetSettingsFor(suite, t.config.name);
  const dir = join(t.dir, "profile");
  // The profile measures the supernet's weights: it is stale when the supernet's inputs change.
  await stampInputs(dir, {
    supernet: supernetStamp(sn),
    profile: suite.profile,
    derivation: LOW_RANK_DERIVATION,
  });
  const out: Profiles = new Map();
  // The host first: modeled platforms borrow its calibration from the same directory.
  const platforms = [...new Set(["host", ...suite.platforms])];
  const weightsHash = await weightsIdentity(weightsPath, t.seed);
  for (const platform of platforms) {
    const path = join(dir, artifactName(platform));
    if (!(await exists(path))) {
      t.log(`  profile: ${platform}`);
      await runProfile({
        platform,
        task: t.path,
        weights: weightsPath,
        seed: t.seed,
        quick: suite.profile.quick,
        latencySamples: suite.profile.latencySamples,
        accuracySamples: suite.profile.accuracySamples,
        repeats: suite.profile.repeats,
        ...(await exists(join(dir, "profile-state")) ? { resume: dir } : { out: dir }),
        log: (line) => {
          if (/^\[|WARNING/.test(line)) t.log(`    ${line}`);
        },
      });
    }
    const artifact = await readProfile(path);
    // A supernet retrained under the same suite settings (e.g. after its directory was deleted)
    // leaves the stamp matching, so check the weights the profile was made from.
    if (artifact.supernet.weightsHash !== weightsHash) {
      throw badInput(
        `${path} was made from other supernet weights than ${weightsPath} (retrained?); ` +
          `delete ${dir} and rerun to profile the current supernet`,
      );
    }
    out.set(platform, { path, artifact });
  }
  return out;
}
